// POST /api/v1/federation/messages: a sealed question from a partner's node
// (federation/receiver.h), answered with the sealed answer.
#include "server/internal/node_impl.h"

namespace renkei::server {

void Node::Impl::FederationMessage(const Request& req, Response& res) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind(federation::kMessageMediaType, 0) != 0) {
    return SendError(res, BadRequest(std::string("content type must be ") +
                                     federation::kMessageMediaType + ", got '" + type + "'"));
  }
  const std::shared_ptr<const Snapshot> snap = snapshot();
  federation::Context::Links links;
  links.client = &federation_client_;
  links.public_keys = &snap->public_keys;
  links.partner = [this](const std::string& organization) {
    std::lock_guard<std::mutex> lock(store_mu_);
    return GetPartner(*store_, organization);
  };
  StatusOr<std::string> answer =
      receiver_.Handle(req.body, caller->client.organization, snap->own_keys, std::move(links));
  if (!answer.ok()) {
    const Status& s = answer.status();
    log_.Add("federation message from " + caller->client.organization, ": " + s.ToString() + "\n");
    switch (s.code()) {
      case StatusCode::kInvalidArgument:
        return SendError(res, BadRequest(s.message()));
      case StatusCode::kPermissionDenied:
        return SendError(res, {403, "AccessDenied", s.message()});
      case StatusCode::kAlreadyExists:
      case StatusCode::kFailedPrecondition:
        return SendError(res, {409, "Replayed", s.message()});
      case StatusCode::kUnavailable:
        return SendError(res, {503, "Unavailable", s.message()});
      default:
        return SendError(res, {500, "InternalError", s.message()});
    }
  }
  res.status = 200;
  res.set_content(std::move(*answer), federation::kMessageMediaType);
}

}  // namespace renkei::server
