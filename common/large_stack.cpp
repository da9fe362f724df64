#include "common/large_stack.h"

#include <pthread.h>

#include <cstddef>

#include "common/error.h"

namespace sc {
namespace {

constexpr std::size_t kLargeStackBytes = 512u << 20;

struct Job {
  const std::function<void()>* fn;
  std::exception_ptr error;
};

void* runJob(void* arg) {
  auto* job = static_cast<Job*>(arg);
  try {
    (*job->fn)();
  } catch (...) {
    job->error = std::current_exception();
  }
  return nullptr;
}

}  // namespace

void runOnLargeStack(const std::function<void()>& fn) {
  Job job{&fn, nullptr};
  pthread_attr_t attr;
  SC_CHECK(::pthread_attr_init(&attr) == 0, "pthread_attr_init only fails on ENOMEM");
  SC_CHECK(::pthread_attr_setstacksize(&attr, kLargeStackBytes) == 0,
           "the stack size is a valid constant");
  pthread_t thread;
  const int started = ::pthread_create(&thread, &attr, &runJob, &job);
  ::pthread_attr_destroy(&attr);
  if (started != 0) {
    // No thread to be had (address space exhausted): run here rather than fail.
    runJob(&job);
  } else {
    ::pthread_join(thread, nullptr);
  }
  if (job.error) std::rethrow_exception(job.error);
}

}  // namespace sc
