// Units of measurement of products, and conversion between them.
#ifndef RENKEI_MODEL_UNITS_H_
#define RENKEI_MODEL_UNITS_H_

#include <optional>
#include <string_view>

namespace renkei::model {

enum class Dimension { kMass, kCount, kEnergy, kVolume, kArea, kTransport };

enum class Unit {
  kGram,
  kKilogram,
  kTonne,  // mass
  kPiece,  // count
  kWattHour,
  kKilowattHour,
  kMegawattHour,  // energy
  kMegajoule,
  kGigajoule,
  kLiter,
  kCubicMeter,      // volume
  kSquareMeter,     // area
  kTonneKilometer,  // transport
};

// The unit's symbol as written in bundles: "g", "kg", "t", "piece", "Wh", "kWh",
// "MWh", "MJ", "GJ", "l", "m3", "m2", "tkm".
std::string_view UnitSymbol(Unit unit);

// Parses a symbol (as above; also "tonne", "pcs", "liter", "kilogram" ...).
std::optional<Unit> ParseUnit(std::string_view text);

// All accepted symbols, comma-separated, for error messages.
std::string_view KnownUnitSymbols();

Dimension UnitDimension(Unit unit);

// How many of the dimension's base unit (kg, piece, kWh, l, m2, tkm) one `unit` is.
double UnitFactor(Unit unit);

// The factor f such that x `from` = x * f `to`; nullopt across dimensions.
std::optional<double> ConversionFactor(Unit from, Unit to);

}  // namespace renkei::model

#endif  // RENKEI_MODEL_UNITS_H_
