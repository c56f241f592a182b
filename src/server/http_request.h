// HTTP requests as the node's handlers see them: Beast's parsed message turned into a
// Request (server/transport.h), and the same from raw bytes.
#ifndef RENKEI_SERVER_HTTP_REQUEST_H_
#define RENKEI_SERVER_HTTP_REQUEST_H_

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <string_view>

#include "base/status.h"
#include "server/transport.h"

namespace renkei::server {

// Moves `msg` into `req`: method, version ("HTTP/1.0" or "HTTP/1.1"), target, headers
// and body; `path` is the target before any '?', percent-decoded ('+' stays '+');
// `params` holds the query's parameters and, for an application/x-www-form-urlencoded
// body, the form's fields. `req`'s other members are left as they are.
void ToRequest(boost::beast::http::request<boost::beast::http::string_body>&& msg, Request& req);

// Parses the first request in `bytes` as the transport reads one (Beast's parser, its
// header limit, a body of at most `max_body_bytes`), then converts it with ToRequest;
// bytes after the request are ignored. InvalidArgument when `bytes` do not start with
// a whole well-formed request: "malformed HTTP request: <Beast's reason>" (the
// transport answers 400, or 413 for "body limit exceeded"), or "incomplete HTTP
// request" (the transport waits for more).
StatusOr<Request> ParseHttpRequest(std::string_view bytes, size_t max_body_bytes = 8u << 20);

}  // namespace renkei::server

#endif  // RENKEI_SERVER_HTTP_REQUEST_H_
