#pragma once
// Process-wide data-path counters of the partition server (sluice::metrics;
// exported with the rest of the registry). Counted per append/read call,
// never per record: an append knows its record count from its offsets.
#include "common/metrics/registry.h"

namespace sluice::partition_server {

struct partition_probe {
  metrics::counter& produced_bytes;
  metrics::counter& produced_records;
  metrics::counter& produce_errors;
  metrics::counter& fetch_bytes;
  metrics::counter& fetch_requests;
  metrics::counter& parked_fetches;
  metrics::gauge& hosted_replicas;
  metrics::counter& cleaner_runs;
  metrics::counter& cleaner_bytes_removed;
  metrics::counter& cleaner_failures;

  static partition_probe& get() {
    static partition_probe probe = [] {
      auto& r = metrics::registry::global();
      return partition_probe{
          r.get_counter("sluice_partition_produced_bytes_total", "Record batch bytes appended"),
          r.get_counter("sluice_partition_produced_records_total", "Records appended"),
          r.get_counter("sluice_partition_produce_errors_total", "Partition appends refused"),
          r.get_counter("sluice_partition_fetch_bytes_total", "Record bytes returned by fetches"),
          r.get_counter("sluice_partition_fetch_requests_total", "Fetch RPCs answered"),
          r.get_counter("sluice_partition_parked_fetches_total", "Fetches parked for long poll"),
          r.get_gauge("sluice_partition_hosted_replicas", "Replicas open on this server"),
          r.get_counter("sluice_partition_cleaner_runs_total", "Log cleanings (compaction) that rewrote segments"),
          r.get_counter("sluice_partition_cleaner_bytes_removed_total", "Bytes the log cleaner removed"),
          r.get_counter("sluice_partition_cleaner_failures_total",
                        "Logs the cleaner gave up on (corrupt data or I/O error) until reopened"),
      };
    }();
    return probe;
  }
};

}  // namespace sluice::partition_server
