// mcp/server/http_guard — the checks a Streamable HTTP request passes before it reaches
// the server: DNS-rebinding protection (Host and Origin), the protocol version header,
// and the session ids we hand out.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace aurite::mcp::detail {

// localhost, 127.0.0.1 or ::1 (with or without brackets).
bool is_loopback_name(const std::string& host);

// Why a request with these Host and Origin headers (empty: absent) is refused, or
// nullopt when it is not. `bound_host` is the address the server listens on: bound to
// loopback, Host and Origin must name loopback; otherwise Origin must be in `allowed`.
std::optional<std::string> rebinding_refusal(const std::string& bound_host, const std::string& host_header,
                                             const std::string& origin_header, const std::vector<std::string>& allowed);

// 32 random bytes from the kernel as 64 hex digits: visible ASCII, as session ids must
// be; also the key of sealed request state.
std::string random_token();

}  // namespace aurite::mcp::detail
