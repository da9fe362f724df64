// The `scctl` side of the admin socket of `scctl serve` (docs/protocol.md):
// one blocking connection that sends admin requests and reads the events
// they cause, in order. Commands are short-lived and do one thing at a
// time, so plain sockets and poll(2) are all they need.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.h"
#include "common/fs/unique_fd.h"
#include "common/protocol/frame.h"

namespace sc::controller::push {

inline constexpr char kDefaultAdminSocket[] = "/run/smartcookies/scctl.sock";

class AdminClient {
 public:
  static Result<AdminClient> connect(const std::string& path);

  Result<void> send(const nlohmann::json& request);
  // The next event; Timeout when none came within `timeout`.
  Result<nlohmann::json> next(std::chrono::milliseconds timeout);

 private:
  explicit AdminClient(fs::UniqueFd fd) : fd_(std::move(fd)) {}
  fs::UniqueFd fd_;
  protocol::FrameDecoder decoder_;
};

}  // namespace sc::controller::push
