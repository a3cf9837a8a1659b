#include "common/cluster/errc.h"

#include <string>

namespace sluice::cluster {

const std::error_category& error_category() noexcept {
  struct category : std::error_category {
    const char* name() const noexcept override { return "sluice.cluster"; }
    std::string message(int c) const override {
      switch (static_cast<errc>(c)) {
        case errc::ok: return "ok";
        case errc::unavailable: return "coordinator unavailable";
        case errc::timed_out: return "coordinator call timed out";
        case errc::bad_reply: return "bad reply from coordinator";
        case errc::not_ready: return "not registered yet";
        case errc::stale_registration: return "registration no longer current";
        case errc::refused: return "refused by the coordinator";
      }
      return "unknown";
    }
  };
  static const category c;
  return c;
}

}  // namespace sluice::cluster
