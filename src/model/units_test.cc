#include "model/units.h"

#include <gtest/gtest.h>

#include "model/countries.h"

namespace renkei::model {
namespace {

TEST(UnitsTest, ParsesSymbolsAndAliases) {
  EXPECT_EQ(ParseUnit("kg"), Unit::kKilogram);
  EXPECT_EQ(ParseUnit("t"), Unit::kTonne);
  EXPECT_EQ(ParseUnit("tonne"), Unit::kTonne);
  EXPECT_EQ(ParseUnit("kWh"), Unit::kKilowattHour);
  EXPECT_EQ(ParseUnit("piece"), Unit::kPiece);
  EXPECT_EQ(ParseUnit("bananas"), std::nullopt);
  EXPECT_EQ(ParseUnit("KG"), std::nullopt);
  for (Unit u : {Unit::kGram, Unit::kMegajoule, Unit::kTonneKilometer}) {
    EXPECT_EQ(ParseUnit(UnitSymbol(u)), u);
  }
}

TEST(UnitsTest, ConvertsWithinADimensionOnly) {
  EXPECT_DOUBLE_EQ(*ConversionFactor(Unit::kTonne, Unit::kKilogram), 1000);
  EXPECT_DOUBLE_EQ(*ConversionFactor(Unit::kGram, Unit::kKilogram), 0.001);
  EXPECT_DOUBLE_EQ(*ConversionFactor(Unit::kMegawattHour, Unit::kKilowattHour), 1000);
  EXPECT_DOUBLE_EQ(*ConversionFactor(Unit::kKilowattHour, Unit::kMegajoule), 3.6);
  EXPECT_EQ(ConversionFactor(Unit::kKilogram, Unit::kPiece), std::nullopt);
}

TEST(CountriesTest, KnowsIsoCodes) {
  EXPECT_TRUE(IsCountryCode("JP"));
  EXPECT_TRUE(IsCountryCode("TW"));
  EXPECT_TRUE(IsCountryCode("CD"));
  EXPECT_FALSE(IsCountryCode("jp"));
  EXPECT_FALSE(IsCountryCode("XX"));
  EXPECT_FALSE(IsCountryCode("JPN"));
  EXPECT_FALSE(IsCountryCode(""));
}

}  // namespace
}  // namespace renkei::model
