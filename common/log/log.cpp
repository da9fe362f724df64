#include "common/log/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace sc::log {

void setupLogging(Verbosity verbosity) {
  spdlog::drop("sc");  // a daemon raises the level main() first set
  auto logger = spdlog::stderr_color_st("sc");
  logger->set_pattern("%^%l%$: %v");
  switch (verbosity) {
    case Verbosity::Quiet:
      logger->set_level(spdlog::level::err);
      break;
    case Verbosity::Normal:
      logger->set_level(spdlog::level::warn);
      break;
    case Verbosity::Verbose:
      logger->set_level(spdlog::level::info);
      break;
    case Verbosity::Debug:
      logger->set_level(spdlog::level::debug);
      break;
  }
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace sc::log
