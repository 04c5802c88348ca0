// SPDX-License-Identifier: GPL-2.0
// Plain text tables for mlogctl's listings.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlog {

// A plain text table: a header row, then data rows; columns separated by
// two spaces, numbers right-aligned, no trailing blanks.
class Table {
 public:
  struct Column {
    const char* title;
    bool right;
  };
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string render() const {
    std::vector<size_t> width(columns_.size());
    for (size_t c = 0; c < columns_.size(); ++c) {
      width[c] = std::string_view(columns_[c].title).size();
      for (const auto& row : rows_) width[c] = std::max(width[c], row[c].size());
    }
    std::string out;
    auto line = [&](auto cell) {
      std::string l;
      for (size_t c = 0; c < columns_.size(); ++c) {
        const std::string s = cell(c);
        const std::string pad(width[c] - s.size(), ' ');
        if (c) l += "  ";
        l += columns_[c].right ? pad + s : s + pad;
      }
      l.erase(l.find_last_not_of(' ') + 1);
      out += l + "\n";
    };
    line([&](size_t c) { return std::string(columns_[c].title); });
    for (const auto& row : rows_) line([&](size_t c) { return row[c]; });
    return out;
  }

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace mlog
