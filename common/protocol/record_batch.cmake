# RecordBatch v2, CRC-32C and the batch codecs (included by CMakeLists.txt).
sluice_library(NAME record_batch
  SRCS ${CMAKE_CURRENT_LIST_DIR}/crc32c.cc ${CMAKE_CURRENT_LIST_DIR}/compression.cc
       ${CMAKE_CURRENT_LIST_DIR}/record_batch_view.cc ${CMAKE_CURRENT_LIST_DIR}/record_batch_validator.cc
       ${CMAKE_CURRENT_LIST_DIR}/record_batch_filter.cc ${CMAKE_CURRENT_LIST_DIR}/record_batch_builder.cc
       ${CMAKE_CURRENT_LIST_DIR}/control_record.cc
  DEPS sluice::base
  PRIVATE_DEPS ZLIB::ZLIB PkgConfig::SNAPPY PkgConfig::LZ4 PkgConfig::ZSTD)
