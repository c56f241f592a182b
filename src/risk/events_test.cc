#include "risk/events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "risk_networks.h"

namespace renkei::risk {
namespace {

using ::testing::ElementsAre;
using testing::Golden;
using ::testing::IsEmpty;
using testing::LoadGolden;
using ::testing::Not;

constexpr double kTol = 1e-6;

TEST(EventsTest, GreatCircleDistance) {
  // Tokyo Station to Osaka Station is about 403 km.
  EXPECT_NEAR(GreatCircleKm(35.6812, 139.7671, 34.7025, 135.4959), 403.4, 1.0);
  EXPECT_NEAR(GreatCircleKm(10, 20, 10, 20), 0, 1e-12);
  // A quarter of the equator.
  EXPECT_NEAR(GreatCircleKm(0, 0, 0, 90), kEarthRadiusKm * 3.14159265358979 / 2, 1e-6);
}

// events: parts come from Strasbourg (FR, alpha), Kehl (DE, beta, 5 km across
// the Rhine) and Basel (CH, alpha); Munich (DE, gamma) makes motors from one part
// each, sourcing Strasbourg or Kehl, 20/day with 50 in stock; Paris needs 10
// motors/day (margin 100) and 5 parts/day from Basel (margin 2), no stock.
//
// A 20 km circle on Strasbourg hits Strasbourg and Kehl across the border, not
// Basel (113 km). Munich gets no part: its 50 motors last 50 / 10 = 5 days; over
// 10 days 100 - 50 = 50 motors are lost, impact 5000.
TEST(EventsTest, CircleAcrossACountryBorder) {
  Golden g = LoadGolden("events");
  Event ev;
  ev.kind = Event::Kind::kCircle;
  ev.lat = 48.5734;
  ev.lon = 7.7521;
  ev.radius_km = 20;
  ev.days = 10;
  StatusOr<EventImpact> impact = AnalyseEvent(*g.network, ev);
  ASSERT_TRUE(impact.ok()) << impact.status().ToString();
  EXPECT_THAT(impact->sites, ElementsAre(g.Site("site:strasbourg"), g.Site("site:kehl")));
  EXPECT_THAT(impact->affected_products, ElementsAre(g.Product("p:part"), g.Product("p:motor")));
  EXPECT_THAT(impact->affected_demand, ElementsAre(g.Demand("site:paris", "p:motor")));
  EXPECT_THAT(impact->stopped_demand, ElementsAre(g.Demand("site:paris", "p:motor")));
  const ScenarioResult& r = impact->result;
  EXPECT_EQ(r.scenario, "circle 48.5734,7.7521 20 km");
  ASSERT_TRUE(r.tts_days.has_value());
  EXPECT_NEAR(*r.tts_days, 5, kTol);
  EXPECT_EQ(r.ttr_days, 10);
  EXPECT_NEAR(r.lost_units_total, 50, kTol);
  EXPECT_NEAR(r.impact, 5000, kTol);
  EXPECT_NEAR(r.rei, 1, kTol);
  EXPECT_TRUE(r.exposed);
}

// Germany for 3 days: Kehl and Munich. Munich's stock covers 5 days > 3: no loss.
TEST(EventsTest, Country) {
  Golden g = LoadGolden("events");
  Event ev;
  ev.kind = Event::Kind::kCountry;
  ev.country = "de";
  ev.days = 3;
  StatusOr<EventImpact> impact = AnalyseEvent(*g.network, ev);
  ASSERT_TRUE(impact.ok()) << impact.status().ToString();
  EXPECT_THAT(impact->sites, ElementsAre(g.Site("site:kehl"), g.Site("site:munich")));
  EXPECT_THAT(impact->stopped_demand, ElementsAre(g.Demand("site:paris", "p:motor")));
  ASSERT_TRUE(impact->result.tts_days.has_value());
  EXPECT_NEAR(*impact->result.tts_days, 5, kTol);
  EXPECT_NEAR(impact->result.impact, 0, kTol);
  EXPECT_FALSE(impact->result.exposed);
}

// Alpha for 4 days: Strasbourg and Basel. Kehl keeps Munich going; Paris has no
// other source of parts: TTS 0, 4 * 5 = 20 parts lost, impact 40.
TEST(EventsTest, Company) {
  Golden g = LoadGolden("events");
  StatusOr<Event> ev = ParseEvent(R"({"company": "org:alpha", "days": 4})");
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  StatusOr<EventImpact> impact = AnalyseEvent(*g.network, *ev);
  ASSERT_TRUE(impact.ok()) << impact.status().ToString();
  EXPECT_THAT(impact->sites, ElementsAre(g.Site("site:strasbourg"), g.Site("site:basel")));
  EXPECT_THAT(impact->affected_demand,
              ElementsAre(g.Demand("site:paris", "p:motor"), g.Demand("site:paris", "p:part")));
  EXPECT_THAT(impact->stopped_demand, ElementsAre(g.Demand("site:paris", "p:part")));
  EXPECT_NEAR(*impact->result.tts_days, 0, kTol);
  EXPECT_NEAR(impact->result.lost_units_total, 20, kTol);
  EXPECT_NEAR(impact->result.impact, 40, kTol);
  EXPECT_TRUE(impact->result.exposed);
  EXPECT_EQ(impact->result.scenario, "company org:alpha");
}

TEST(EventsTest, ParsesEachKind) {
  StatusOr<Event> ev = ParseEvent(
      R"({"name": "Kumamoto quake", "circle": {"lat": 32.8, "lon": 130.7, "radius_km": 30},
          "days": 60})");
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->kind, Event::Kind::kCircle);
  EXPECT_EQ(ev->radius_km, 30);
  EXPECT_EQ(EventName(*ev), "Kumamoto quake");
  ev = ParseEvent(R"({"sites": ["site:a", "site:b"], "days": 1})");
  ASSERT_TRUE(ev.ok());
  EXPECT_THAT(ev->sites, ElementsAre("site:a", "site:b"));
  EXPECT_EQ(EventName(*ev), "sites site:a,site:b");
}

// An external site (another company's, known by id alone) has no place: no
// circle hits it, even one on its meaningless 0,0; a company event still does.
TEST(EventsTest, ExternalSitesAreHitOnlyByName) {
  model::Model m;
  m.organizations.emplace_back().id = "org:a";
  m.organization_ids.Insert("org:a", 0);
  for (const char* id : {"site:near", "site:theirs"}) {
    model::Site& s = m.sites.emplace_back();
    s.id = id;
    s.organization = 0;
    m.site_ids.Insert(id, static_cast<model::Index>(m.sites.size() - 1));
  }
  m.sites[0].lat = 0.1;
  m.sites[0].country = "GH";
  m.sites[1].external = true;
  Event circle;
  circle.kind = Event::Kind::kCircle;
  circle.radius_km = 50;
  circle.days = 5;
  EXPECT_THAT(*SitesHit(m, circle), ElementsAre(0u));
  Event company;
  company.kind = Event::Kind::kCompany;
  company.company = "org:a";
  company.days = 5;
  EXPECT_THAT(*SitesHit(m, company), ElementsAre(0u, 1u));
}

TEST(EventsTest, BadEvents) {
  Golden g = LoadGolden("events");
  const model::Model& m = *g.model;
  Event empty;
  empty.kind = Event::Kind::kSites;
  empty.days = 5;
  EXPECT_EQ(SitesHit(m, empty).status(), InvalidArgumentError("empty event: no site listed"));

  Event circle;
  circle.kind = Event::Kind::kCircle;
  circle.radius_km = -1;
  circle.days = 5;
  EXPECT_EQ(SitesHit(m, circle).status(),
            InvalidArgumentError("event: radius must be a number of km >= 0, got -1"));

  Event company;
  company.kind = Event::Kind::kCompany;
  company.company = "org:nobody";
  EXPECT_EQ(SitesHit(m, company).status(), NotFoundError("event: unknown company 'org:nobody'"));

  Event sites;
  sites.sites = {"site:kehl", "site:atlantis"};
  EXPECT_EQ(SitesHit(m, sites).status(), NotFoundError("event: unknown site 'site:atlantis'"));

  Event country;
  country.kind = Event::Kind::kCountry;
  country.country = "XX";
  EXPECT_EQ(SitesHit(m, country).status(),
            InvalidArgumentError("event: 'XX' is not an ISO 3166-1 alpha-2 country code"));

  Event days;
  days.sites = {"site:kehl"};
  days.days = -2;
  EXPECT_EQ(SitesHit(m, days).status(),
            InvalidArgumentError("event: days must be a number >= 0, got -2"));

  EXPECT_EQ(ParseEvent(R"({"country": "JP", "company": "org:x", "days": 1})").status(),
            InvalidArgumentError("event: expected exactly one of \"circle\", \"country\", "
                                 "\"company\", \"sites\", got 2"));
  EXPECT_EQ(ParseEvent(R"({"country": "JP"})").status(),
            InvalidArgumentError("event: days: expected a number"));
  EXPECT_EQ(ParseEvent(R"({"circle": {"lat": 1, "lon": 2}, "days": 1})").status(),
            InvalidArgumentError("event: circle.radius_km: expected a number"));
  EXPECT_EQ(ParseEvent("{").status().code(), StatusCode::kInvalidArgument);
}

TEST(EventsTest, EventOnANetworkWithoutDemand) {
  Golden g = LoadGolden("no_demand");
  Event ev;
  ev.sites = {"site:s1"};
  ev.days = 3;
  EXPECT_EQ(AnalyseEvent(*g.network, ev).status().code(), StatusCode::kFailedPrecondition);
}

// The demo bundle: an earthquake circle on Kumamoto hits TSMC/JASM's Kikuyo fab
// and reaches products downstream of it.
TEST(EventsTest, KumamotoCircleHitsJasmInTheDemo) {
  const std::string demo = std::string(RENKEI_SOURCE_DIR) + "/data/japan-strategic";
  if (!std::filesystem::exists(demo)) GTEST_SKIP() << "no demo bundle at " << demo;
  Golden g = LoadGolden("data/japan-strategic");
  Event ev;
  ev.kind = Event::Kind::kCircle;
  ev.lat = 32.80;  // Kumamoto city
  ev.lon = 130.71;
  ev.radius_km = 30;
  ev.days = 30;
  ev.name = "Kumamoto earthquake";
  StatusOr<EventImpact> impact = AnalyseEvent(*g.network, ev);
  ASSERT_TRUE(impact.ok()) << impact.status().ToString();
  std::vector<std::string> hit;
  for (network::Index s : impact->sites) hit.push_back(g.model->sites[s].id);
  EXPECT_THAT(hit, ::testing::Contains(::testing::HasSubstr("jasm")));
  std::vector<network::Index> downstream;
  for (network::Index v : impact->affected_nodes) {
    if (!std::binary_search(impact->nodes.begin(), impact->nodes.end(), v)) {
      downstream.push_back(v);
    }
  }
  EXPECT_THAT(downstream, Not(IsEmpty()));
  EXPECT_THAT(impact->affected_products, Not(IsEmpty()));
}

}  // namespace
}  // namespace renkei::risk
