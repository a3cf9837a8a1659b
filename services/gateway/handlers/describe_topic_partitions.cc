// DescribeTopicPartitions (KIP-966): what the Java admin's describeTopics
// sends from Kafka 3.8 on; answered from this gateway's metadata
// (topic_partitions_page.h), the same replicas, ISR and leaders as Metadata.
#include "services/gateway/handlers/handler.h"
#include "services/gateway/handlers/topic_partitions_page.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {

void handle_describe_topic_partitions(request_context ctx) {
  auto request = ctx.decode<protocol::describe_topic_partitions_request>();
  ctx.respond(topic_partitions_page(*ctx.services->metadata.current(), request));
}

}  // namespace sluice::gateway
