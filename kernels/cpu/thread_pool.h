#pragma once
// A small persistent thread pool for the CPU kernels. A pool of N threads is the caller plus N-1
// workers, so a kernel never runs more threads than asked for; a pool of 1 runs everything inline,
// and a kernel called from inside a pool task runs its own parallel loops inline (no nesting, no
// oversubscription). Workers spin briefly after a job before sleeping, because batch-1 inference
// issues many short parallel loops back to back.
#include <cstdint>
#include <functional>
#include <memory>

namespace kiln::cpu {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  // Calls f(task) for every task in [0, tasks), spread over the pool; returns when all are done.
  void run(int64_t tasks, const std::function<void(int64_t)>& f);
  // Calls f(begin, end) over [0, n) in at most threads() contiguous chunks of at least `grain`.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f);

  // The process-wide pool with `threads` threads (created on first use, kept until exit).
  static ThreadPool& shared(int threads);

 private:
  struct Impl;
  int threads_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::cpu
