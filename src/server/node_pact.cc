// PACT v2.3 and v3.0: the footprint list and its filters, single footprints, and the
// events (requests answered, fulfilled footprints checked and stored, delivery to
// partners).
#include "server/internal/node_impl.h"

namespace renkei::server {

void Node::Impl::ListFootprints(int version, const Request& req, Response& res) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  Criteria c;
  size_t limit = 0, offset = 0;
  auto parse_count = [&](const std::string& name, size_t& out, bool positive) -> bool {
    const std::string v = req.get_param_value(name);
    if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), ::isdigit) ||
        (positive && std::stoul(v) == 0)) {
      SendError(res, BadRequest(name + ": expected a " + (positive ? "positive" : "non-negative") +
                                " integer, got '" + v + "'"));
      return false;
    }
    out = std::stoul(v);
    return true;
  };
  for (const auto& [name, value] : req.params) {
    if (name == "limit") {
      if (!parse_count(name, limit, true)) return;
    } else if (name == "offset") {
      if (!parse_count(name, offset, false)) return;
    } else if (version == 2 && name == "$filter") {
      if (auto e = ParseV2Filter(value, c)) return SendError(res, *e);
    } else if (version == 3 && name == "productId") {
      c.product_id.push_back(value);
    } else if (version == 3 && name == "companyId") {
      c.company_id.push_back(value);
    } else if (version == 3 && name == "geography") {
      c.geography.push_back(value);
    } else if (version == 3 && name == "classification") {
      c.classification.push_back(value);
    } else if (version == 3 && name == "validOn") {
      c.valid_on = value;
    } else if (version == 3 && name == "validAfter") {
      c.valid_after = value;
    } else if (version == 3 && name == "validBefore") {
      c.valid_before = value;
    } else if (version == 3 && name == "status") {
      c.status = value;
    } else {
      return SendError(res, BadRequest("unknown query parameter '" + name + "'"));
    }
  }
  if (auto e = CheckCriteria(c)) return SendError(res, *e);
  auto snap = snapshot();
  // What a page holds depends on what the caller may see (MaySee: admin, or its
  // organization and that organization's grants, as of their generation) and the
  // query; its bytes also on the encoding the caller accepts.
  const Encoding accepted = AcceptedEncoding(req);
  std::string key = std::to_string(version);
  key += std::to_string(static_cast<int>(accepted));
  key += caller->client.admin ? std::string_view("*") : std::string_view("o");
  key += caller->client.organization;
  key.push_back('\0');
  key += std::to_string(caller->access->generation);
  key.push_back('\0');
  key += req.path;
  for (const auto& [name, value] : req.params) {
    key.push_back('\0');
    key += name;
    key.push_back('\0');
    key += value;
  }
  std::shared_ptr<const Page> page = snap->pages.Find(key);
  if (page == nullptr) {
    // Compressed once per snapshot, not per request: a page of 100 footprints is about
    // 200 KB as JSON and a sixth of that gzipped.
    auto built = std::make_shared<Page>(BuildPage(*snap, *caller, version, c, limit, offset, req));
    if (std::optional<std::string> packed = CompressAnswer(built->body, accepted)) {
      built->body = std::move(*packed);
      built->encoding = accepted;
    }
    snap->pages.Add(key, built);
    page = std::move(built);
  }
  if (!page->link.empty()) res.set_header("Link", page->link);
  res.set_header("Vary", "Accept-Encoding");
  if (page->encoding != Encoding::kIdentity) {
    res.set_header("Content-Encoding", std::string(EncodingName(page->encoding)));
  }
  // A page can be hundreds of KB: hand it to the connection in place, not copied.
  SendBytes(res, std::shared_ptr<const std::string>(page, &page->body), "application/json");
}

Page Node::Impl::BuildPage(const Snapshot& snap, const Caller& caller, int version,
                           const Criteria& c, size_t limit, size_t offset,
                           const Request& req) const {
  const auto& all = version == 2 ? snap.v2 : snap.v3;
  std::string body = "{\"data\":[";
  body.reserve(std::min<size_t>(limit == 0 ? all.size() : limit, all.size()) *
               (all.empty() ? 0 : all.front().body.size() + 1));
  size_t seen = 0, written = 0;
  bool more = false;
  for (const Served& s : all) {
    if (!MaySee(snap, caller, s.product, s.owner) || !Matches(c, s.pf)) continue;
    if (seen++ < offset) continue;
    if (limit != 0 && written == limit) {
      more = true;
      break;
    }
    if (written++ > 0) body.push_back(',');
    body += s.body;
  }
  body += "]}";
  Page page{std::move(body), ""};
  if (more) {
    std::string query;
    for (const auto& [name, value] : req.params) {
      if (name == "offset") continue;
      query += PercentEncode(name) + "=" + PercentEncode(value) + "&";
    }
    query += "offset=" + std::to_string(offset + written);
    page.link = "<" + BaseUrl() + req.path + "?" + query + ">; rel=\"next\"";
  }
  return page;
}

void Node::Impl::GetFootprint(int version, const std::string& id, const Request& req,
                              Response& res) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  if (!IsUuid(id))
    return SendError(res, BadRequest("footprint id must be a UUID, got '" + id + "'"));
  auto snap = snapshot();
  const auto& ids = version == 2 ? snap->v2_ids : snap->v3_ids;
  auto it = ids.find(id);
  if (it == ids.end()) {
    return SendError(res, {404, version == 2 ? "NoSuchFootprint" : "NotFound",
                           "The specified footprint does not exist."});
  }
  const Served& s = (version == 2 ? snap->v2 : snap->v3)[it->second];
  if (!MaySee(*snap, *caller, s.product, s.owner)) {
    return SendError(res, {403, "AccessDenied", "Access denied"});
  }
  // Served from the snapshot, which the answer keeps alive: no copy of the body.
  SendBytes(res, std::shared_ptr<const std::string>(snap, &s.one), "application/json");
}

void Node::Impl::Events(int version, const Request& req, Response& res) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/cloudevents+json", 0) != 0 &&
      type.rfind("application/json", 0) != 0) {
    return SendError(
        res, BadRequest("content type must be application/cloudevents+json, got '" + type + "'"));
  }
  StatusOr<Json> parsed = ParseJson<Json>(req.body, "body");
  if (!parsed.ok()) return SendError(res, BadRequest(parsed.status().message()));
  const Json event = std::move(*parsed);
  if (!event.is_object()) return SendError(res, BadRequest("the event must be a JSON object"));
  for (const char* name : {"specversion", "id", "source", "type"}) {
    if (!event.contains(name) || !event[name].is_string() ||
        event[name].get<std::string>().empty()) {
      return SendError(res, BadRequest(std::string("CloudEvents attribute '") + name +
                                       "' is missing or not a string"));
    }
  }
  if (event["specversion"] != "1.0") return SendError(res, BadRequest("specversion must be 1.0"));
  const std::string event_type = event["type"];
  const std::optional<EventKind> kind = KindOfEventType(event_type);
  if (!kind) return SendError(res, BadRequest("unknown event type '" + event_type + "'"));
  const Json data = event.contains("data") ? event["data"] : Json();
  if (kind == EventKind::kPublished) {
    if (!data.is_object() || !data.contains("pfIds") || !data["pfIds"].is_array() ||
        data["pfIds"].empty()) {
      return SendError(res, BadRequest("data.pfIds must be a non-empty array"));
    }
    for (size_t i = 0; i < data["pfIds"].size(); ++i) {
      const Json& id = data["pfIds"][i];
      if (!id.is_string() || !IsUuid(id.get<std::string>())) {
        return SendError(res, BadRequest("data.pfIds[" + std::to_string(i) +
                                         "]: expected a footprint id (a UUID), got " + Dump(id)));
      }
    }
  } else if (kind == EventKind::kRequestCreated) {
    Criteria c;
    if (auto e = CriteriaFromJson(data, c)) return SendError(res, *e);
    if (auto e = CheckCriteria(c)) return SendError(res, *e);
  } else if (kind == EventKind::kRequestFulfilled) {
    if (!data.is_object() || !data.contains("requestEventId") ||
        !data["requestEventId"].is_string() || !data.contains("pfs") || !data["pfs"].is_array()) {
      return SendError(res, BadRequest("data needs requestEventId and pfs"));
    }
    std::lock_guard<std::mutex> lock(store_mu_);
    Status s = StoreFulfilled(*caller, event);
    if (!s.ok()) return SendError(res, BadRequest(s.message()));
  } else if (kind == EventKind::kRequestRejected) {
    if (!data.is_object() || !data.contains("requestEventId") ||
        !data["requestEventId"].is_string() || !data.contains("error") ||
        !data["error"].is_object()) {
      return SendError(res, BadRequest("data needs requestEventId and an error object"));
    }
    std::lock_guard<std::mutex> lock(store_mu_);
    auto sent = FindSentEvent(*store_, data["requestEventId"].get<std::string>());
    if (sent.ok() && sent->organization == caller->client.organization) {
      (void)SetEventState(*store_, sent->seq, "rejected");
    }
  }
  if (kind != EventKind::kRequestFulfilled) {
    std::lock_guard<std::mutex> lock(store_mu_);
    auto seq = RecordEvent(*store_, {0, event["id"], "in", event_type, caller->client.organization,
                                     "", "received", event.dump()});
    if (!seq.ok()) return SendError(res, {500, "InternalError", seq.status().message()});
  }
  if (kind == EventKind::kRequestCreated) AnswerRequest(*caller, version, event);
  res.status = 200;
}

Status Node::Impl::StoreFulfilled(const Caller& caller, const Json& event) {
  const std::string request_id = event["data"]["requestEventId"];
  RENKEI_ASSIGN_OR_RETURN(EventRecord sent, FindSentEvent(*store_, request_id));
  if (sent.organization != caller.client.organization) {
    return PermissionDeniedError("request '" + request_id + "' was not sent to '" +
                                 caller.client.organization + "'");
  }
  auto snap = snapshot();
  RENKEI_ASSIGN_OR_RETURN(const bool accept_unsigned, AcceptsUnsignedFootprints(*store_));
  RENKEI_ASSIGN_OR_RETURN(model::Model model, store_->LoadModel());
  const model::RowCounts before = model::CountRows(model);
  model::ModelBuilder builder(model);
  size_t i = 0;
  for (const Json& doc : event["data"]["pfs"]) {
    const std::string where = "data.pfs[" + std::to_string(i++) + "]";
    StatusOr<bool> verified = trust::CheckReceivedDocument(doc, snap->public_keys, accept_unsigned,
                                                           caller.client.organization);
    if (!verified.ok()) return verified.status().WithPrefix(where);
    const std::string text = doc.dump();
    RENKEI_ASSIGN_OR_RETURN(std::vector<std::string> cells, pact::FootprintRow(text, where, model));
    std::vector<std::string_view> fields(cells.begin(), cells.end());
    struct Origin : model::RowOrigin {
      std::string where;
      std::string Where(int) const override { return where; }
    } origin;
    origin.where = where;
    RENKEI_RETURN_IF_ERROR(builder.AddRow(model::Table::kFootprints, fields, origin));
    model.footprints.back().pact_json = text;
    model.footprints.back().verified = *verified;
  }
  RENKEI_RETURN_IF_ERROR(builder.Finish());
  int64_t change = 0;
  RENKEI_RETURN_IF_ERROR(store_->Append(model, before, "partner:" + caller.client.organization,
                                        "fulfilled " + request_id, &change));
  RENKEI_RETURN_IF_ERROR(SetEventState(*store_, sent.seq, "fulfilled"));
  RENKEI_RETURN_IF_ERROR(
      RecordEvent(*store_, {0, event["id"], "in", event["type"], caller.client.organization, "",
                            "stored", event.dump()})
          .status());
  return SwapIn(std::move(model), change);
}

void Node::Impl::AnswerRequest(const Caller& caller, int version, const Json& event) {
  Criteria c;
  (void)CriteriaFromJson(event["data"], c);
  auto snap = snapshot();
  Json pfs = Json::array();
  for (const Served& s : version == 2 ? snap->v2 : snap->v3) {
    if (MaySee(*snap, caller, s.product, s.owner) && Matches(c, s.pf)) {
      pfs.push_back(Json::parse(s.body));
    }
  }
  // Nothing to give is answered with a RequestRejected event (PACT v3: "If there are no
  // product footprints to return, the data owner MUST send a RequestRejectedEvent").
  const EventKind kind = pfs.empty() ? EventKind::kRequestRejected : EventKind::kRequestFulfilled;
  Json data = {{"requestEventId", event["id"]}};
  if (pfs.empty()) {
    data["error"] = {{"code", "NotFound"},
                     {"message", "no footprint this node may share matches the request"}};
  } else {
    data["pfs"] = std::move(pfs);
  }
  const char* type = EventType(kind, version);
  Json answer = {{"type", type},
                 {"specversion", "1.0"},
                 {"id", trust::RandomHex(16)},
                 {"source", "//" + BaseUrl().substr(8) + "/" + std::to_string(version) + "/events"},
                 {"time", NowRfc3339()},
                 {"data", std::move(data)}};
  std::lock_guard<std::mutex> lock(store_mu_);
  auto seq = RecordEvent(*store_, {0, answer["id"], "out", type, caller.client.organization, "",
                                   "pending", answer.dump()});
  if (seq.ok()) Enqueue({caller.client.organization, version, *seq, answer});
}

StatusOr<std::string> Node::Impl::RequestFootprints(const std::string& organization,
                                                    const Json& criteria) {
  Criteria c;
  if (auto e = CriteriaFromJson(criteria, c)) return InvalidArgumentError(e->message);
  std::lock_guard<std::mutex> lock(store_mu_);
  RENKEI_RETURN_IF_ERROR(GetPartner(*store_, organization).status());
  const std::string id = trust::RandomHex(16);
  const char* type = EventType(EventKind::kRequestCreated, 3);
  Json event = {{"type", type},
                {"specversion", "1.0"},
                {"id", id},
                {"source", "//" + BaseUrl().substr(8) + "/3/events"},
                {"time", NowRfc3339()},
                {"data", criteria}};
  RENKEI_ASSIGN_OR_RETURN(int64_t seq, RecordEvent(*store_, {0, id, "out", type, organization, "",
                                                             "pending", event.dump()}));
  Enqueue({organization, 3, seq, event});
  return id;
}

void Node::Impl::Enqueue(Delivery d) {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    queue_.push_back(std::move(d));
  }
  queue_cv_.notify_all();
}

void Node::Impl::DeliveryLoop() {
  while (true) {
    Delivery d;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      d = std::move(queue_.front());
      queue_.pop_front();
    }
    int wait_ms = options_.delivery_first_wait_ms;
    Status s;
    for (int attempt = 1; attempt <= options_.delivery_attempts; ++attempt) {
      s = Deliver(d);
      if (s.ok()) break;
      if (options_.log != nullptr) {
        log_.Add("event " + d.event["id"].get<std::string>() + " to " + d.organization,
                 ": attempt " + std::to_string(attempt) + ": " + s.ToString() + "\n");
      }
      std::unique_lock<std::mutex> lock(queue_mu_);
      if (queue_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                             [this] { return stopping_; })) {
        return;
      }
      wait_ms *= 2;
    }
    std::lock_guard<std::mutex> lock(store_mu_);
    const std::string type = d.event["type"];
    (void)SetEventState(
        *store_, d.seq,
        s.ok() ? (KindOfEventType(type) == EventKind::kRequestCreated ? "sent" : "delivered")
               : "failed");
  }
}

Status Node::Impl::Deliver(const Delivery& d) {
  Partner partner;
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    RENKEI_ASSIGN_OR_RETURN(partner, GetPartner(*store_, d.organization));
  }
  const std::string path = "/" + std::to_string(d.version) + "/events";
  RENKEI_ASSIGN_OR_RETURN(
      federation::Client::Reply r,
      federation_client_.Post(partner, path, d.event.dump(),
                              "application/cloudevents+json; charset=UTF-8", 15000));
  if (r.status != 200) {
    return UnavailableError(partner.url + path + ": HTTP " + std::to_string(r.status) + " " +
                            r.body);
  }
  return Status::Ok();
}

}  // namespace renkei::server
