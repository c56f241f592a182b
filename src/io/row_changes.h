// The rows two versions differ in (model/diff.h) as JSON: what `renkei diff
// --json` and GET /api/v1/diff give under "tables".
#ifndef RENKEI_IO_ROW_CHANGES_H_
#define RENKEI_IO_ROW_CHANGES_H_

#include <nlohmann/json.hpp>

#include "model/diff.h"

namespace renkei::io {

// {table name: {"added": [key], "changed": [{"key", "cells": {column: {"before",
// "after"}}}], "removed": [key]}}, tables in schema order, those without a
// change left out. Keys and cells are as a bundle writes them (model/row_text.h).
nlohmann::ordered_json RowChangesJson(const model::ModelDiff& diff);

}  // namespace renkei::io

#endif  // RENKEI_IO_ROW_CHANGES_H_
