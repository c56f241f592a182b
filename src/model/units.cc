#include "model/units.h"

#include <array>
#include <string>

namespace renkei::model {
namespace {

struct UnitInfo {
  Unit unit;
  std::string_view symbol;
  Dimension dimension;
  double factor;
};

constexpr std::array<UnitInfo, 13> kUnits = {{
    {Unit::kGram, "g", Dimension::kMass, 0.001},
    {Unit::kKilogram, "kg", Dimension::kMass, 1},
    {Unit::kTonne, "t", Dimension::kMass, 1000},
    {Unit::kPiece, "piece", Dimension::kCount, 1},
    {Unit::kWattHour, "Wh", Dimension::kEnergy, 0.001},
    {Unit::kKilowattHour, "kWh", Dimension::kEnergy, 1},
    {Unit::kMegawattHour, "MWh", Dimension::kEnergy, 1000},
    {Unit::kMegajoule, "MJ", Dimension::kEnergy, 1 / 3.6},
    {Unit::kGigajoule, "GJ", Dimension::kEnergy, 1000 / 3.6},
    {Unit::kLiter, "l", Dimension::kVolume, 1},
    {Unit::kCubicMeter, "m3", Dimension::kVolume, 1000},
    {Unit::kSquareMeter, "m2", Dimension::kArea, 1},
    {Unit::kTonneKilometer, "tkm", Dimension::kTransport, 1},
}};

struct Alias {
  std::string_view text;
  Unit unit;
};

constexpr std::array<Alias, 14> kAliases = {{
    {"kilogram", Unit::kKilogram},
    {"gram", Unit::kGram},
    {"tonne", Unit::kTonne},
    {"ton", Unit::kTonne},
    {"pcs", Unit::kPiece},
    {"unit", Unit::kPiece},
    {"kilowatt hour", Unit::kKilowattHour},
    {"megajoule", Unit::kMegajoule},
    {"liter", Unit::kLiter},
    {"litre", Unit::kLiter},
    {"L", Unit::kLiter},
    {"cubic meter", Unit::kCubicMeter},
    {"square meter", Unit::kSquareMeter},
    {"ton kilometer", Unit::kTonneKilometer},
}};

const UnitInfo& Info(Unit unit) { return kUnits[static_cast<size_t>(unit)]; }

}  // namespace

std::string_view UnitSymbol(Unit unit) { return Info(unit).symbol; }
Dimension UnitDimension(Unit unit) { return Info(unit).dimension; }
double UnitFactor(Unit unit) { return Info(unit).factor; }

std::optional<Unit> ParseUnit(std::string_view text) {
  for (const UnitInfo& info : kUnits) {
    if (info.symbol == text) return info.unit;
  }
  for (const Alias& alias : kAliases) {
    if (alias.text == text) return alias.unit;
  }
  return std::nullopt;
}

std::string_view KnownUnitSymbols() {
  static const std::string kList = [] {
    std::string list;
    for (const UnitInfo& info : kUnits) {
      if (!list.empty()) list += ", ";
      list += info.symbol;
    }
    return list;
  }();
  return kList;
}

std::optional<double> ConversionFactor(Unit from, Unit to) {
  if (UnitDimension(from) != UnitDimension(to)) return std::nullopt;
  return UnitFactor(from) / UnitFactor(to);
}

}  // namespace renkei::model
