// Writes the fuzzer's seed corpus: one request frame (header + body, no
// length prefix) per generated message case, requests and responses alike,
// each filled by the round-trip test generator.
//
//   protocol_fuzz_seeds <dir>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/protocol/header.h"
#include "tests/unit/protocol/codec/testgen_values.h"

int main(int argc, char** argv) {
    using namespace sluice::protocol;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <output dir>\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    int written = 0;
    for (const auto& c : testgen::all_message_cases()) {
        request_header h;
        h.api_key = static_cast<std::int16_t>(c.key);
        h.api_version = c.version;
        h.correlation_id = written;
        h.client_id = "seed";
        writer w;
        h.encode(w);
        const auto body = c.encode_filled(c.version, false);
        w.write_raw(body);
        std::string name = c.name;
        for (char& ch : name)
            if (ch == ' ') ch = '_';
        std::ofstream out(dir / (name + ".bin"), std::ios::binary);
        out.write(reinterpret_cast<const char*>(w.data().data()), static_cast<std::streamsize>(w.size()));
        if (!out) {
            std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
            return 1;
        }
        ++written;
    }
    std::printf("wrote %d seeds to %s\n", written, dir.c_str());
    return 0;
}
