// History analysis: GET /history/search (full-text, newest first), GET /history/stats
// (per agent and per day), GET /history/export (JSON Lines, streamed). Turns are shaped as
// `aurite history ... --json` and `aurite history export` shape them, so what one prints
// the other reads.
#include <fmt/format.h>

#include <array>
#include <ostream>
#include <stdexcept>
#include <streambuf>

#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "aurite/common/error.hpp"
#include "aurite/common/log.hpp"
#include "aurite/storage/history_transfer.hpp"

namespace aurite::api::detail {
namespace {

constexpr long long kMaxSearch = 1000;
constexpr long long kDefaultSearch = 50;

Json turn_json(const storage::TurnRecord& t) {
  Json content = Json::parse(t.content_json, nullptr, /*allow_exceptions=*/false);
  if (content.is_discarded()) content = t.content_json;  // the store only holds JSON; kept readable if not
  return {{"agent", t.agent_name}, {"session", t.session_id}, {"seq", t.seq},
          {"role", t.role},        {"content", content},      {"created_at", t.created_at}};
}

// Thrown when the client went away mid-export, to stop reading the database.
struct ClientGone : std::runtime_error {
  ClientGone() : std::runtime_error("the client closed the connection") {}
};

// Collects the export into chunks of a useful size instead of one chunk per write.
class ChunkBuffer final : public std::streambuf {
 public:
  explicit ChunkBuffer(httplib::DataSink& sink) : sink_(sink) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

 protected:
  int_type overflow(int_type c) override {
    flush_chunk();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

  int sync() override {
    flush_chunk();
    return 0;
  }

 private:
  void flush_chunk() {
    const auto size = static_cast<std::size_t>(pptr() - pbase());
    if (size > 0 && !sink_.write(pbase(), size)) throw ClientGone();
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

  httplib::DataSink& sink_;
  std::array<char, 64 * 1024> buffer_{};
};

// JSON Lines has two names in use; answer with the one asked for.
std::string jsonl_type(const httplib::Request& request) {
  return request.get_header_value("Accept").find("application/jsonl") != std::string::npos
             ? "application/jsonl"
             : "application/x-ndjson";
}

storage::TurnFilter export_filter(const httplib::Request& request) {
  storage::TurnFilter filter{text_param(request, "agent"), text_param(request, "session")};
  if (filter.session_id && !filter.agent_name) {
    throw Error(ErrorCode::kInvalidArgument, "query parameter 'session' needs the query parameter 'agent'");
  }
  return filter;
}

}  // namespace

void add_history_routes(httplib::Server& server, ApiContext& context) {
  host::HostManager& host = context.host;

  add_route(server, context, "GET", "/history/search",
            ([&host](const httplib::Request& request, httplib::Response& response) {
              const auto query = text_param(request, "q");
              if (!query) {
                throw Error(ErrorCode::kInvalidArgument,
                            "query parameter 'q' (the words to search for) is required");
              }
              const auto agent = text_param(request, "agent");
              const auto limit = static_cast<std::size_t>(
                  int_param(request, "limit", 1, kMaxSearch).value_or(kDefaultSearch));
              Json turns = Json::array();
              for (const auto& turn : history_admin_of(host).search(*query, agent, limit)) {
                turns.push_back(turn_json(turn));
              }
              send_json(response, 200, {{"turns", turns}});
            }));

  add_route(server, context, "GET", "/history/stats",
            ([&host](const httplib::Request& request, httplib::Response& response) {
              // Priced with the llms the server runs now: a corrected price re-prices history.
              const auto stats = history_admin_of(host).stats(text_param(request, "agent"), host.snapshot().llms);
              send_json(response, 200, storage::to_json(stats));
            }));

  // Streamed in chunks while the store reads in pages, so neither side holds the whole
  // history. Everything that can fail with a status (parameters, history off, database
  // down, unknown session) is checked before the first byte; a failure after it can only
  // cut the stream, which the client sees as a transfer without its final chunk.
  add_route(
      server, context, "GET", "/history/export",
      ([&host](const httplib::Request& request, httplib::Response& response) {
        const storage::TurnFilter filter = export_filter(request);
        auto& admin = history_admin_of(host);
        auto& store = history_store_of(host);
        if (filter.session_id) {
          if (store.load_turns(*filter.agent_name, *filter.session_id, 0, 1).empty()) {
            throw Error(ErrorCode::kNotFound,
                        fmt::format("no session '{}' of agent '{}'", *filter.session_id, *filter.agent_name));
          }
        } else {
          store.list_sessions({filter.agent_name, 1, ""});  // reaches the database, or 503
        }
        response.set_chunked_content_provider(
            jsonl_type(request), [&admin, filter](std::size_t, httplib::DataSink& sink) {
              try {
                ChunkBuffer buffer(sink);
                std::ostream out(&buffer);
                out.exceptions(std::ios::badbit);  // ClientGone and database errors reach us, not a flag
                storage::export_jsonl(admin, out, filter);
              } catch (const ClientGone&) {
                spdlog::debug("history export: the client left before the end");
                return false;
              } catch (const std::exception& error) {
                spdlog::error("history export cut short: {}", error.what());
                return false;
              }
              sink.done();
              return true;
            });
      }));
}

}  // namespace aurite::api::detail
