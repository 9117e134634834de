// GET /health: the process answers (no key needed). GET /health/ready: it can serve runs,
// the database included (503 when the database cannot be reached).
#include "api/api_context.hpp"
#include "api/http_error.hpp"

namespace aurite::api::detail {

void add_health_routes(httplib::Server& server, ApiContext& context) {
  add_route(server, context, "GET", "/health", ([&context](const httplib::Request&, httplib::Response& response) {
               std::size_t runs = 0;
               {
                 std::lock_guard lock(context.runs_mutex);
                 runs = context.runs_in_flight;
               }
               send_json(response, 200, {{"status", "ok"}, {"runs_in_flight", runs}});
             }));
  add_route(server, context, "GET", "/health/ready", ([&context](const httplib::Request&, httplib::Response& response) {
               Json database = {{"enabled", false}};
               if (auto* storage = context.host.storage()) {
                 const auto status = storage->status();  // kUnavailable -> 503
                 database = {{"enabled", true}, {"backend", status.backend}, {"schema_version", status.schema_version}};
               }
               send_json(response, 200, {{"status", "ready"}, {"database", database}});
             }));
}

}  // namespace aurite::api::detail
