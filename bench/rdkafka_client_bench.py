#!/usr/bin/python3
"""Throughput of a plain librdkafka client (confluent-kafka) against a broker.

A second opinion next to `sluice bench`: a third-party librdkafka client with
its own settings. Produces N records of S bytes with acks=1 to an existing
topic, then consumes them all back from the beginning of every partition
(assign + seek, no consumer group). Prints one JSON line with records/s and MB/s.
"""
import argparse
import json
import time

from confluent_kafka import Consumer, Producer, TopicPartition


def produce(bootstrap, topic, records, size, acks):
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "acks": str(acks),
        "linger.ms": 5,
        "batch.num.messages": 10000,
        "batch.size": 1048576,
        "queue.buffering.max.messages": 500000,
        "queue.buffering.max.kbytes": 1048576,
        "compression.codec": "none",
    })
    payload = b"x" * size
    failures = []

    def on_delivery(err, _msg):
        if err is not None:
            failures.append(err)

    start = time.monotonic()
    for _ in range(records):
        while True:
            try:
                producer.produce(topic, payload, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    producer.flush(120)
    elapsed = time.monotonic() - start
    if failures:
        raise SystemExit(f"{len(failures)} deliveries failed, first: {failures[0]}")
    return elapsed


def consume(bootstrap, topic, records):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "rdkafka-client-bench",  # required by the client; no group APIs are used
        "enable.auto.commit": False,
        "fetch.max.bytes": 52428800,
        "max.partition.fetch.bytes": 10485760,
        "queued.min.messages": 200000,
    })
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    seen = 0
    start = time.monotonic()
    deadline = start + 300
    while seen < records and time.monotonic() < deadline:
        for msg in consumer.consume(num_messages=10000, timeout=1.0):
            if msg.error() is None:
                seen += 1
    elapsed = time.monotonic() - start
    consumer.close()
    if seen < records:
        raise SystemExit(f"consumed only {seen} of {records} records")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap-server", default="localhost:9092")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--records", type=int, default=500000)
    parser.add_argument("--record-size", type=int, default=1024)
    parser.add_argument("--acks", type=int, default=1)
    args = parser.parse_args()
    mb = args.records * args.record_size / 1e6
    produce_s = produce(args.bootstrap_server, args.topic, args.records, args.record_size, args.acks)
    consume_s = consume(args.bootstrap_server, args.topic, args.records)
    print(json.dumps({
        "client": "confluent-kafka (librdkafka)",
        "records": args.records, "record_size": args.record_size, "acks": args.acks,
        "produce_records_per_s": round(args.records / produce_s),
        "produce_mb_per_s": round(mb / produce_s, 1),
        "consume_records_per_s": round(args.records / consume_s),
        "consume_mb_per_s": round(mb / consume_s, 1),
    }))


if __name__ == "__main__":
    main()
