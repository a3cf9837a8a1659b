#pragma once
// Kafka RecordBatch v2, in one unit per job; include the one a file needs, or
// this header for all of them:
//
//   record_batch_view.h       the layout (the spec is its top comment), the header
//                             view, iteration over batches and records, record bytes
//   record_batch_validator.h  the append path's checks and its errors (append_errc)
//   record_batch_filter.h     re-encoding with some of the records (log compaction)
//   record_batch_builder.h    the leader's in-place stamping, and new batches
//
// Big-endian fields go through common/base/endian.h; codecs are compression.h.
#include "common/protocol/record_batch_builder.h"
#include "common/protocol/record_batch_filter.h"
#include "common/protocol/record_batch_validator.h"
#include "common/protocol/record_batch_view.h"
