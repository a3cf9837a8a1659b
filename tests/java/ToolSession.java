import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.internals.Exit;

/**
 * Runs Kafka's command-line tools one after another in this one JVM, as a
 * shell would run kafka-topics, kafka-configs... each in its own: the same
 * main class and arguments, with the tool's stdin, stdout, stderr and exit
 * code kept apart per run. A JVM start costs a second or two here; a test
 * running forty tool commands saves a minute this way.
 *
 * Protocol on this program's own stdin/stdout (tests/fixtures/java_clients.py):
 * a request is the line "RUN nargs nstdin", then the main class and nargs
 * arguments one per line, then nstdin bytes given to the tool as stdin; the
 * answer is the line "EXIT code nout nerr" followed by the tool's stdout and
 * stderr bytes. End of input ends the program.
 *
 * The tools end with Exit.exit(code) (Kafka's overridable System.exit): that
 * is turned into an exception ending only the run. Output is switched per run
 * behind one System.out/System.err stream, so a tool class that keeps
 * System.out in a static field still writes into the current run's buffer.
 */
public final class ToolSession {
    private ToolSession() {
    }

    /** The code of the current run's first Exit.exit, or null before it. */
    private static volatile Integer exitCode;

    /** The shutdown hooks the current run added. */
    private static final List<Runnable> shutdownHooks = new ArrayList<>();

    /** A tool's Exit.exit(code), ending its run instead of the JVM. */
    private static final class ToolExit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ToolExit(int code) {
            super("Exit.exit(" + code + ")", null, false, false);
        }
    }

    /** An output stream whose target changes per run. */
    private static final class Switch extends OutputStream {
        private volatile OutputStream target = OutputStream.nullOutputStream();

        void to(OutputStream next) {
            target = next;
        }

        @Override
        public void write(int b) throws IOException {
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target.write(b, off, len);
        }
    }

    /** An input stream whose source changes per run. */
    private static final class InputSwitch extends InputStream {
        private volatile InputStream source = InputStream.nullInputStream();

        void from(InputStream next) {
            source = next;
        }

        @Override
        public int read() throws IOException {
            return source.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return source.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return source.available();
        }
    }

    public static void main(String[] args) throws Exception {
        DataInputStream requests = new DataInputStream(System.in);
        PrintStream answers = System.out;
        Switch out = new Switch();
        Switch err = new Switch();
        InputSwitch in = new InputSwitch();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(in);
        Exit.Procedure exit = (code, message) -> {
            // Some tools call Exit.exit inside a try that catches Throwable
            // and then print the exception: the first exit is the run's code,
            // and what the tool prints after it is not its output.
            System.out.flush();
            System.err.flush();
            if (exitCode == null) {
                exitCode = code;
            }
            out.to(OutputStream.nullOutputStream());
            err.to(OutputStream.nullOutputStream());
            throw new ToolExit(code);
        };
        Exit.setExitProcedure(exit);
        Exit.setHaltProcedure(exit);
        // A tool's shutdown hooks run when its run ends, as they would when its
        // own JVM exits: kafka-console-producer flushes its records in one.
        Exit.setShutdownHookAdder((name, hook) -> shutdownHooks.add(hook));

        String header;
        while ((header = readLine(requests)) != null) {
            String[] h = header.split(" ");
            int nargs = Integer.parseInt(h[1]);
            int nstdin = Integer.parseInt(h[2]);
            String mainClass = readLine(requests);
            List<String> toolArgs = new ArrayList<>();
            for (int i = 0; i < nargs; i++) {
                toolArgs.add(readLine(requests));
            }
            byte[] stdin = new byte[nstdin];
            requests.readFully(stdin);

            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            out.to(stdout);
            err.to(stderr);
            in.from(new ByteArrayInputStream(stdin));
            exitCode = null;
            int code = run(mainClass, toolArgs.toArray(new String[0]), stderr);
            runShutdownHooks(stderr);
            System.out.flush();
            System.err.flush();
            out.to(OutputStream.nullOutputStream());
            err.to(OutputStream.nullOutputStream());

            byte[] o = stdout.toByteArray();
            byte[] e = stderr.toByteArray();
            answers.print("EXIT " + code + " " + o.length + " " + e.length + "\n");
            answers.write(o);
            answers.write(e);
            answers.flush();
        }
    }

    /** Runs one tool's main; its exit code (0 when main returns). */
    private static int run(String mainClass, String[] args, ByteArrayOutputStream stderr) {
        try {
            Method main = Class.forName(mainClass).getMethod("main", String[].class);
            main.invoke(null, (Object) args);
            return exitCode == null ? 0 : exitCode;
        } catch (InvocationTargetException e) {
            if (exitCode != null) {
                return exitCode;
            }
            e.getCause().printStackTrace(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            return 1;
        } catch (ReflectiveOperationException e) {
            e.printStackTrace(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            return 1;
        }
    }

    /** Runs and forgets the hooks the run added; one failing does not stop the others. */
    private static void runShutdownHooks(ByteArrayOutputStream stderr) {
        List<Runnable> hooks = new ArrayList<>(shutdownHooks);
        shutdownHooks.clear();
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                e.printStackTrace(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            }
        }
    }

    /** A '\n'-terminated UTF-8 line of the request stream, or null at its end. */
    private static String readLine(DataInputStream s) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = s.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
