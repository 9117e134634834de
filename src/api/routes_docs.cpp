// GET /openapi.json: the API's description, docs/openapi.json as it was when this binary
// was built (compiled in), so clients and tools read the document of the server they talk to.
#include "api/api_context.hpp"
#include "api/openapi_document.hpp"

namespace aurite::api::detail {

void add_docs_routes(httplib::Server& server, ApiContext& context) {
  add_route(server, context, "GET", "/openapi.json", [](const httplib::Request&, httplib::Response& response) {
    response.status = 200;
    response.set_content(kOpenApiDocument.data(), kOpenApiDocument.size(), "application/json");
  });
}

}  // namespace aurite::api::detail
