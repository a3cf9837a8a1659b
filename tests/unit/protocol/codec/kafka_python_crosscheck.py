#!/usr/bin/env python3
"""Cross-checks the generated codec against an independent implementation:
kafka-python 2.0.2's protocol classes.

For every message our generator fills (the fuzzer's seed frames, written by
protocol_fuzz_seeds), at every version kafka-python also knows, kafka-python
must decode our bytes consuming exactly all of them, and re-encode them to the
same bytes. Both sides agreeing on every field's position and width catches
the mistakes a self round trip cannot (a field in the wrong place decodes
fine against itself).

    kafka_python_crosscheck.py <protocol_fuzz_seeds executable>
"""

import io
import os
import re
import struct
import subprocess
import sys
import tempfile

from kafka.protocol import admin, commit, fetch, group, metadata, offset, produce

# Our API name -> kafka-python's (requests, responses), index = version.
KAFKA_PYTHON = {
    "api_versions": (admin.ApiVersionRequest, admin.ApiVersionResponse),
    "metadata": (metadata.MetadataRequest, metadata.MetadataResponse),
    "produce": (produce.ProduceRequest, produce.ProduceResponse),
    "fetch": (fetch.FetchRequest, fetch.FetchResponse),
    "list_offsets": (offset.OffsetRequest, offset.OffsetResponse),
    "create_topics": (admin.CreateTopicsRequest, admin.CreateTopicsResponse),
    "delete_topics": (admin.DeleteTopicsRequest, admin.DeleteTopicsResponse),
    "create_partitions": (admin.CreatePartitionsRequest, admin.CreatePartitionsResponse),
    "describe_configs": (admin.DescribeConfigsRequest, admin.DescribeConfigsResponse),
    "alter_configs": (admin.AlterConfigsRequest, admin.AlterConfigsResponse),
    "find_coordinator": (commit.GroupCoordinatorRequest, commit.GroupCoordinatorResponse),
    "join_group": (group.JoinGroupRequest, group.JoinGroupResponse),
    "sync_group": (group.SyncGroupRequest, group.SyncGroupResponse),
    "heartbeat": (group.HeartbeatRequest, group.HeartbeatResponse),
    "leave_group": (group.LeaveGroupRequest, group.LeaveGroupResponse),
    "offset_commit": (commit.OffsetCommitRequest, commit.OffsetCommitResponse),
    "offset_fetch": (commit.OffsetFetchRequest, commit.OffsetFetchResponse),
    "describe_groups": (admin.DescribeGroupsRequest, admin.DescribeGroupsResponse),
    "list_groups": (admin.ListGroupsRequest, admin.ListGroupsResponse),
    "delete_groups": (admin.DeleteGroupsRequest, admin.DeleteGroupsResponse),
}

# kafka-python 2.0.2's own schema mistakes (checked against Kafka's message
# definitions), skipped rather than "fixed" on our side.
KNOWN_BAD = {
    # AlterConfigsResponse lists the v1 *request* class as the v1 response.
    ("alter_configs", "response", 1),
    # DescribeConfigsResponse_v1 keeps v0's IsDefault bool where Kafka has ConfigSource int8.
    ("describe_configs", "response", 1),
    # FetchRequest_v7+ declares forgotten topic names as `String` without an encoding: cannot decode.
    *(("fetch", "request", v) for v in range(7, 12)),
    # GroupCoordinatorResponse_v1 lacks ThrottleTimeMs (FindCoordinator v1+ has it first).
    ("find_coordinator", "response", 1),
    # OffsetRequest_v4/v5 declare CurrentLeaderEpoch as int64; Kafka's is int32.
    ("list_offsets", "request", 4), ("list_offsets", "request", 5),
    # ProduceResponse_v8 closes the partition array before RecordErrors and ErrorMessage.
    ("produce", "response", 8),
    # DescribeGroupsResponse_v3 closes the groups array before AuthorizedOperations (a
    # per-group field in Kafka), making it a top-level field: cannot decode.
    ("describe_groups", "response", 3),
    # ListGroupsRequest_v2 declares API_VERSION = 1 (its layout, empty, is right).
    ("list_groups", "request", 2),
}

SEED = re.compile(r"(?P<api>[a-z_]+)_(?P<kind>request|response)_v(?P<version>\d+)\.bin")


def body_of(frame):
    """Strips a request header v1 (key, version, correlation id, client id)."""
    client_id_len = struct.unpack_from(">h", frame, 8)[0]
    return frame[10 + max(client_id_len, 0):]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    checked, failures = 0, []
    with tempfile.TemporaryDirectory() as seeds:
        subprocess.run([sys.argv[1], seeds], check=True, stdout=subprocess.DEVNULL)
        for name in sorted(os.listdir(seeds)):
            m = SEED.fullmatch(name)
            if not m or m["api"] not in KAFKA_PYTHON:
                continue
            version = int(m["version"])
            classes = KAFKA_PYTHON[m["api"]][0 if m["kind"] == "request" else 1]
            if version >= len(classes) or (m["api"], m["kind"], version) in KNOWN_BAD:
                continue
            cls = classes[version]
            if cls.API_VERSION != version:
                failures.append(f"{name}: kafka-python lists {cls.__name__} at v{version}")
                continue
            with open(os.path.join(seeds, name), "rb") as f:
                frame = f.read()
            body = body_of(frame)
            if struct.unpack_from(">h", frame, 0)[0] != cls.API_KEY:
                failures.append(f"{name}: api key differs from kafka-python's {cls.API_KEY}")
                continue
            try:
                data = io.BytesIO(body)
                decoded = cls.decode(data)
                if data.tell() != len(body):
                    failures.append(f"{name}: kafka-python read {data.tell()} of {len(body)} bytes")
                    continue
                again = decoded.encode()
            except Exception as e:  # any parse failure is a disagreement
                failures.append(f"{name}: kafka-python cannot decode it: {e!r}")
                continue
            if again != body:
                failures.append(f"{name}: kafka-python re-encodes differently\n  ours  {body.hex()}\n"
                                f"  yours {again.hex()}")
                continue
            checked += 1
    for f in failures:
        print("FAIL", f)
    print(f"{checked} messages agree with kafka-python, {len(failures)} disagree")
    # A run that checked nothing proves nothing.
    return 1 if failures or checked < 50 else 0


if __name__ == "__main__":
    sys.exit(main())
