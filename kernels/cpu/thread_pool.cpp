#include "kernels/cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace kiln::cpu {

namespace {

thread_local bool t_inside_pool = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long a worker polls for the next job before it sleeps: long enough to catch the next
// kernel's loop in a model run, short enough not to hold a shared core. Timed by the clock (a
// pause instruction lasts from a few to 140 cycles, by microarchitecture).
constexpr auto kSpin = std::chrono::microseconds(200);

}  // namespace

struct ThreadPool::Impl {
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<uint64_t> generation{0};
  const std::function<void(int64_t)>* job = nullptr;
  int64_t tasks = 0;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> remaining{0};
  std::atomic<int> active{0};  // workers inside the current job (joined under the mutex)
  bool stop = false;
  std::vector<std::thread> workers;

  void work(const std::function<void(int64_t)>& f, int64_t n) {
    for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) {
      f(i);
      remaining.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  void worker_loop() {
    t_inside_pool = true;
    uint64_t seen = 0;
    for (;;) {
      const auto deadline = std::chrono::steady_clock::now() + kSpin;
      for (int spin = 1; generation.load(std::memory_order_acquire) == seen; ++spin) {
        // Yield between short bursts: on a machine with more runnable threads than cores, a
        // pure spin would take the core from the thread that is about to post the next job.
        if (spin % 16 == 0) std::this_thread::yield();
        else cpu_relax();
        if (spin % 64 == 0 && std::chrono::steady_clock::now() > deadline) break;
      }
      const std::function<void(int64_t)>* f = nullptr;
      int64_t n = 0;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stop || generation.load(std::memory_order_relaxed) != seen; });
        if (stop) return;
        seen = generation.load(std::memory_order_relaxed);
        if (!job) continue;  // woke after that job had already finished
        f = job;
        n = tasks;
        active.fetch_add(1, std::memory_order_relaxed);
      }
      work(*f, n);
      active.fetch_sub(1, std::memory_order_release);
    }
  }
};

ThreadPool::ThreadPool(int threads) : threads_(std::max(1, threads)), impl_(std::make_unique<Impl>()) {
  for (int i = 1; i < threads_; ++i) impl_->workers.emplace_back([this] { impl_->worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stop = true;
  }
  impl_->wake.notify_all();
  for (std::thread& t : impl_->workers) t.join();
}

void ThreadPool::run(int64_t tasks, const std::function<void(int64_t)>& f) {
  if (tasks <= 0) return;
  if (tasks == 1 || threads_ == 1 || t_inside_pool) {
    for (int64_t i = 0; i < tasks; ++i) f(i);
    return;
  }
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.job = &f;
    s.tasks = tasks;
    s.next.store(0, std::memory_order_relaxed);
    s.remaining.store(tasks, std::memory_order_relaxed);
    s.generation.fetch_add(1, std::memory_order_release);
  }
  s.wake.notify_all();
  t_inside_pool = true;
  s.work(f, tasks);
  t_inside_pool = false;
  while (s.remaining.load(std::memory_order_acquire) != 0) cpu_relax();
  // The job is done; no worker may join it any more, and those inside are leaving their task
  // loop. Spin for them rather than sleep: a futex round trip costs tens of µs on a busy machine.
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.job = nullptr;
  }
  while (s.active.load(std::memory_order_acquire) != 0) cpu_relax();
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f) {
  if (n <= 0) return;
  const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(threads_, n / std::max<int64_t>(1, grain)));
  if (chunks == 1) return f(0, n);
  run(chunks, [&](int64_t c) { f(n * c / chunks, n * (c + 1) / chunks); });
}

ThreadPool& ThreadPool::shared(int threads) {
  static std::mutex mutex;
  static std::map<int, std::unique_ptr<ThreadPool>> pools;
  threads = std::max(1, threads);
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<ThreadPool>& p = pools[threads];
  if (!p) p = std::make_unique<ThreadPool>(threads);
  return *p;
}

}  // namespace kiln::cpu
