#include "tests/support/fault_proxy.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <string>
#include <thread>

namespace sc::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

// Everything below runs on the proxy's own thread, except set() and
// connections(), which take the mutex.
struct FaultProxy::State {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t target_port = 0;
  std::uint16_t port = 0;
  std::thread thread;

  mutable std::mutex mutex;
  Plan plan;
  std::size_t budget = 0;  // downstream bytes left under ResetAfter / CutAfter
  std::vector<Connection> connections;

  // One client connection joined to its upstream connection.
  struct Link {
    Link(asio::io_context& context, std::size_t at) : client(context), server(context), index(at) {}
    tcp::socket client;
    tcp::socket server;
    std::size_t index;
    bool torn_down = false;
  };

  // One direction of a link: a reader that drains its source as fast as
  // bytes come (so a client's close is seen at once) and a writer that
  // forwards them as the plan says.
  struct Pipe {
    explicit Pipe(asio::io_context& context) : wake(context, Clock::time_point::max()) {}
    std::string pending;
    bool source_done = false;
    asio::steady_timer wake;
  };

  Plan currentPlan() {
    std::lock_guard lock(mutex);
    return plan;
  }

  // How many of `wanted` downstream bytes may go; true in `exhausted` when
  // the budget ran out with them. Checked against the plan in force now,
  // under the same lock: a fault cleared meanwhile lets everything through.
  std::size_t takeBudget(std::size_t wanted, bool& exhausted) {
    std::lock_guard lock(mutex);
    exhausted = false;
    if (plan.fault != Fault::ResetAfter && plan.fault != Fault::CutAfter) return wanted;
    const std::size_t allowed = std::min(wanted, budget);
    budget -= allowed;
    exhausted = budget == 0;
    return allowed;
  }

  void record(std::size_t index, auto&& update) {
    std::lock_guard lock(mutex);
    update(connections[index]);
  }

  void tearDown(Link& link, bool reset) {
    if (link.torn_down) return;
    link.torn_down = true;
    boost::system::error_code ignored;
    if (reset) {
      link.client.set_option(asio::socket_base::linger(true, 0), ignored);
    } else {
      link.client.shutdown(tcp::socket::shutdown_send, ignored);
    }
    link.client.close(ignored);
    link.server.close(ignored);
    record(link.index, [](Connection& c) { c.faulted = true; });
  }

  asio::awaitable<void> read(std::shared_ptr<Link> link, std::shared_ptr<Pipe> pipe,
                             bool from_client) {
    tcp::socket& source = from_client ? link->client : link->server;
    char buffer[16384];
    for (;;) {
      auto [ec, got] = co_await source.async_read_some(asio::buffer(buffer), kTuple);
      if (ec) break;
      pipe->pending.append(buffer, got);
      pipe->wake.cancel();
    }
    if (from_client && !link->torn_down) {
      record(link->index, [](Connection& c) { c.client_closed = Clock::now(); });
    }
    pipe->source_done = true;
    pipe->wake.cancel();
  }

  asio::awaitable<void> write(std::shared_ptr<Link> link, std::shared_ptr<Pipe> pipe,
                              bool downstream) {
    tcp::socket& sink = downstream ? link->client : link->server;
    asio::steady_timer pause(io);
    for (;;) {
      if (link->torn_down) co_return;
      if (pipe->pending.empty()) {
        if (pipe->source_done) break;
        co_await pipe->wake.async_wait(kTuple);
        continue;
      }
      const Plan now = currentPlan();
      std::size_t count = pipe->pending.size();
      bool exhausted = false;
      switch (now.fault) {
        case Fault::None:
          break;
        case Fault::Blackhole:
          pipe->pending.clear();
          continue;
        case Fault::Delay:
          pause.expires_after(now.pace);
          co_await pause.async_wait(kTuple);
          count = pipe->pending.size();
          break;
        case Fault::Trickle:
          if (downstream) count = 1;
          break;
        case Fault::ResetAfter:
        case Fault::CutAfter:
          if (downstream) count = takeBudget(count, exhausted);
          break;
      }
      if (count > 0) {
        // The reader appends while this write is in flight: send a copy.
        const std::string chunk = pipe->pending.substr(0, count);
        pipe->pending.erase(0, count);
        auto [ec, sent] = co_await asio::async_write(sink, asio::buffer(chunk), kTuple);
        if (ec || sent != chunk.size()) break;
      }
      if (exhausted) {
        tearDown(*link, now.fault == Fault::ResetAfter);
        co_return;
      }
      if (now.fault == Fault::Trickle && downstream) {
        pause.expires_after(now.pace);
        co_await pause.async_wait(kTuple);
      }
    }
    // The source ended: pass the end on, unless even that is swallowed.
    if (currentPlan().fault == Fault::Blackhole) co_return;
    boost::system::error_code ignored;
    if (!link->torn_down) sink.shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> join(std::shared_ptr<Link> link) {
    auto [ec] = co_await link->server.async_connect(
        tcp::endpoint(asio::ip::address_v4::loopback(), target_port), kTuple);
    if (ec) {
      boost::system::error_code ignored;
      link->client.close(ignored);
      co_return;
    }
    auto up = std::make_shared<Pipe>(io);
    auto down = std::make_shared<Pipe>(io);
    asio::co_spawn(io, read(link, up, true), asio::detached);
    asio::co_spawn(io, write(link, up, false), asio::detached);
    asio::co_spawn(io, read(link, down, false), asio::detached);
    asio::co_spawn(io, write(link, down, true), asio::detached);
  }

  asio::awaitable<void> accept() {
    for (;;) {
      std::size_t index = 0;
      {
        std::lock_guard lock(mutex);
        index = connections.size();
      }
      auto link = std::make_shared<Link>(io, index);
      auto [ec] = co_await acceptor.async_accept(link->client, kTuple);
      if (ec) co_return;
      {
        std::lock_guard lock(mutex);
        connections.push_back(Connection{Clock::now(), std::nullopt, false});
      }
      asio::co_spawn(io, join(link), asio::detached);
    }
  }
};

FaultProxy::FaultProxy(std::uint16_t target_port) : state_(std::make_shared<State>()) {
  state_->target_port = target_port;
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  // Read here, before the proxy's thread owns the acceptor.
  state_->port = state_->acceptor.local_endpoint().port();
  asio::co_spawn(state_->io, state_->accept(), asio::detached);
  state_->thread = std::thread([state = state_] { state->io.run(); });
}

FaultProxy::~FaultProxy() {
  state_->io.stop();
  state_->thread.join();
}

std::uint16_t FaultProxy::port() const { return state_->port; }

void FaultProxy::set(const Plan& plan) {
  std::lock_guard lock(state_->mutex);
  state_->plan = plan;
  state_->budget = plan.bytes;
}

std::vector<FaultProxy::Connection> FaultProxy::connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections;
}

}  // namespace sc::testing
