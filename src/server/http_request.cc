#include "server/http_request.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <string>

namespace renkei::server {

namespace http = boost::beast::http;

void ToRequest(http::request<http::string_body>&& msg, Request& req) {
  req.method = std::string(msg.method_string());
  req.version = msg.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  const std::string_view target(msg.target().data(), msg.target().size());
  req.target = std::string(target);
  const size_t q = target.find('?');
  req.path = httplib::detail::decode_url(std::string(target.substr(0, q)), false);
  if (q != std::string_view::npos) {
    httplib::detail::parse_query_text(std::string(target.substr(q + 1)), req.params);
  }
  for (const auto& field : msg) {
    req.headers.emplace(std::string(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(msg.body());
  // A form's fields are parameters too (OAuth2's token request).
  if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
    httplib::detail::parse_query_text(req.body, req.params);
  }
}

StatusOr<Request> ParseHttpRequest(std::string_view bytes, size_t max_body_bytes) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  boost::asio::const_buffer rest(bytes.data(), bytes.size());
  // As http::read does, minus the socket: Beast's parser wants more bytes on each call
  // after it said it needs more, so once it says so here the input has ended.
  for (;;) {
    const size_t used = parser.put(rest, ec);
    rest += used;
    if (ec == http::error::need_more) {
      ec = {};
    } else if (ec || parser.is_done()) {
      break;
    } else if (used > 0 && rest.size() > 0) {
      continue;
    }
    if (parser.got_some()) {
      parser.put_eof(ec);
    } else {
      ec = http::error::end_of_stream;
    }
    break;
  }
  if (ec == http::error::partial_message || ec == http::error::end_of_stream)
    return InvalidArgumentError("incomplete HTTP request");
  if (ec) return InvalidArgumentError("malformed HTTP request: " + ec.message());
  if (!parser.is_done()) return InvalidArgumentError("incomplete HTTP request");
  Request req;
  ToRequest(parser.release(), req);
  return req;
}

}  // namespace renkei::server
