#include "tools/sluice/groups_datetime.h"

#include <ctime>
#include <string>

namespace sluice::tools {

namespace {

/// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, int n, int& out) {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  return true;
}

bool literal(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// days_from_civil): timegm is not standard C++.
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

struct civil_time {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
};

bool parse_civil(std::string_view s, std::size_t& pos, civil_time& t) {
  if (!(digits(s, pos, 4, t.year) && literal(s, pos, '-') && digits(s, pos, 2, t.month) && literal(s, pos, '-') &&
        digits(s, pos, 2, t.day) && literal(s, pos, 'T') && digits(s, pos, 2, t.hour) && literal(s, pos, ':') &&
        digits(s, pos, 2, t.minute) && literal(s, pos, ':') && digits(s, pos, 2, t.second)))
    return false;
  if (literal(s, pos, '.')) {
    int scale = 100, d = 0;
    const std::size_t start = pos;
    while (digits(s, pos, 1, d)) {
      t.millis += d * scale;
      scale /= 10;
    }
    if (pos == start) return false;
  }
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= days_in_month(t.year, t.month) && t.hour <= 23 &&
         t.minute <= 59 && t.second <= 59;
}

/// The zone's offset from UTC in minutes; false for a malformed zone.
bool parse_zone(std::string_view s, std::size_t& pos, int& minutes) {
  if (literal(s, pos, 'Z')) return true;
  const int sign = literal(s, pos, '+') ? 1 : (literal(s, pos, '-') ? -1 : 0);
  int hh = 0, mm = 0;
  if (sign == 0 || !digits(s, pos, 2, hh)) return false;
  if (pos < s.size()) {
    literal(s, pos, ':');
    if (!digits(s, pos, 2, mm)) return false;
  }
  if (hh > 18 || mm > 59) return false;
  minutes = sign * (hh * 60 + mm);
  return true;
}

std::int64_t local_seconds(const civil_time& t) {
  std::tm tm{};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.month - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.minute;
  tm.tm_sec = t.second;
  tm.tm_isdst = -1;  // let the zone's rules decide
  return static_cast<std::int64_t>(std::mktime(&tm));
}

}  // namespace

cli_result<std::int64_t> parse_datetime_ms(std::string_view text) {
  const auto bad = [&] {
    return cli_error("'" + std::string(text) +
                     "' is not a date-time like 2026-11-25T10:00:00Z, 2026-11-25T10:00:00.250+01:00 or "
                     "2026-11-25T10:00:00 (local time)");
  };
  std::size_t pos = 0;
  civil_time t;
  if (!parse_civil(text, pos, t)) return bad();
  std::int64_t seconds = 0;
  if (pos == text.size()) {
    seconds = local_seconds(t);
  } else {
    int zone_minutes = 0;
    if (!parse_zone(text, pos, zone_minutes) || pos != text.size()) return bad();
    seconds = days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second -
              static_cast<std::int64_t>(zone_minutes) * 60;
  }
  return seconds * 1000 + t.millis;
}

}  // namespace sluice::tools
