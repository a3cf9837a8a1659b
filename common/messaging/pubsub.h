#pragma once
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace google::protobuf { class MessageLite; }

namespace sluice::messaging {

/// NNG PUB socket. publish() is thread-safe and never blocks; subscribers
/// that are slow or absent simply miss messages (they detect the gap by
/// version and fetch a snapshot).
class publisher {
 public:
  explicit publisher(const std::string& url);  // tcp://host:0 picks a port
  ~publisher();
  publisher(const publisher&) = delete;
  publisher& operator=(const publisher&) = delete;
  const std::string& url() const noexcept;
  void publish(const google::protobuf::MessageLite& message);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// NNG SUB socket subscribed to everything on one publisher. Dials in the
/// background and reconnects. The callback runs on an NNG thread, one
/// message at a time; it must not block.
class subscriber {
 public:
  using callback = std::function<void(std::span<const std::byte> message)>;
  subscriber(const std::string& url, callback on_message);
  ~subscriber();
  subscriber(const subscriber&) = delete;
  subscriber& operator=(const subscriber&) = delete;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::messaging
