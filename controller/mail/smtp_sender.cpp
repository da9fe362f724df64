#include "controller/mail/smtp_sender.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>

#include "common/text/base64.h"
#include "common/text/escape.h"
#include "common/text/utf8.h"

namespace sc::controller::mail {
namespace {

// RFC 5322 2.1.1: at most 998 octets before each CRLF. SMTP's limit (RFC
// 5321 4.5.3.1.6) does not count the dot added for transparency, so a
// wrapped line that starts with '.' still fits once stuffed.
constexpr std::size_t kMaxLine = 998;

Error invalid(std::string_view field, std::string_view problem) {
  return Error(ErrorCode::InvalidArgument, fmt::format("'{}' {}", field, problem));
}

bool isAtext(char c) {  // RFC 5322 3.2.3
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool isDotAtom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  if (text.find("..") != std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '.' || isAtext(c); });
}

// dot-atom "@" dot-atom within RFC 5321 4.5.3.1's 64 and 254 octets: no
// quoting, comments, brackets or display names, so the address can go into
// RCPT TO and the headers as it is.
bool isPlainAddress(std::string_view address) {
  const auto at = address.find('@');
  if (at == std::string_view::npos || at > 64 || address.size() > 254) return false;
  return isDotAtom(address.substr(0, at)) && isDotAtom(address.substr(at + 1));
}

Result<void> checkAddress(const std::string& field, const std::string& address) {
  if (isPlainAddress(address)) return ok();
  return invalid(field, fmt::format("is not a plain address such as ops@example.com: '{}'",
                                    text::escapeControl(address)));
}

// Without a scheme libcurl guesses the protocol from the host name and
// falls back to HTTP, which CURLOPT_PROTOCOLS_STR then refuses.
std::string serverUrl(const std::string& url) {
  return url.find("://") == std::string::npos ? "smtp://" + url : url;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// Day and month names by hand: strftime's %a and %b follow the locale, and
// RFC 5322 3.3 wants English.
std::string rfc5322Date(std::int64_t unix_seconds) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // 1970..9999: RFC 5322 years have four digits.
  const sys_seconds when{seconds{std::clamp<std::int64_t>(unix_seconds, 0, 253402300799)}};
  const auto day = floor<days>(when);
  const year_month_day date{day};
  const hh_mm_ss time{when - day};
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[weekday{day}.c_encoding()],
                     static_cast<unsigned>(date.day()),
                     kMonths[static_cast<unsigned>(date.month()) - 1],
                     static_cast<int>(date.year()), time.hours().count(), time.minutes().count(),
                     time.seconds().count());
}

std::string toHeader(const std::vector<std::string>& to) {
  std::string out = "To:";
  std::size_t line = out.size();
  for (std::size_t i = 0; i < to.size(); ++i) {
    if (i > 0) {
      out += ',';
      ++line;
    }
    if (i > 0 && line + 1 + to[i].size() > 78) {  // RFC 5322 2.2.3 folding
      out += "\r\n";
      line = 0;
    }
    out += ' ' + to[i];
    line += 1 + to[i].size();
  }
  return out + "\r\n";
}

// Control characters (C0, DEL, C1) become spaces, so no subject can end its
// header line and start another (header injection); bytes that are not
// UTF-8 become U+FFFD, since the header claims UTF-8.
std::string cleanSubject(std::string_view subject) {
  std::string out;
  for (char32_t c : text::utf8::decode(subject)) {
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) c = U' ';
    if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;  // decode()'s stand-ins for invalid bytes
    text::utf8::append(out, c);
  }
  return out;
}

std::string subjectHeader(std::string_view subject) {
  const std::string clean = cleanSubject(subject);
  const bool ascii = std::all_of(clean.begin(), clean.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  // "=?" would make a reader decode plain text as an encoded-word.
  if (ascii && clean.find("=?") == std::string::npos && clean.size() + 9 <= kMaxLine) {
    return "Subject: " + clean + "\r\n";
  }
  // RFC 2047: encoded-words of whole characters (section 5), at most 75
  // long; 39 octets give 52 base64 characters, so each folded line stays
  // within RFC 5322's recommended 78.
  std::string out = "Subject:";
  std::string_view rest = clean;
  while (!rest.empty()) {
    std::size_t take = std::min<std::size_t>(39, rest.size());
    while (take < rest.size() && (static_cast<unsigned char>(rest[take]) & 0xC0) == 0x80) --take;
    out += fmt::format(" =?UTF-8?B?{}?=\r\n", text::base64Encode(rest.substr(0, take)));
    rest.remove_prefix(take);
  }
  return out;
}

// RFC 5322 3.6.4: "<" id-left "@" id-right ">". Other bytes become '_', so
// an id can never close the header early.
std::string messageIdHeader(const SmtpSettings& settings, std::string_view id) {
  std::string clean;
  for (char c : id) clean += (isAtext(c) || c == '.' || c == '@') ? c : '_';
  if (clean.find('@') == std::string::npos) clean += settings.from.substr(settings.from.find('@'));
  return "Message-ID: <" + clean + ">\r\n";
}

// Every line ending becomes CRLF and the body ends with one. Long lines
// are cut before kMaxLine, never inside a UTF-8 character.
void appendBody(std::string& out, std::string_view body) {
  while (!body.empty()) {
    std::size_t end = body.find_first_of("\r\n");
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(0, end);
    while (line.size() > kMaxLine) {
      std::size_t cut = kMaxLine;
      while (cut > kMaxLine - 3 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
      out.append(line.substr(0, cut)).append("\r\n");
      line.remove_prefix(cut);
    }
    out.append(line).append("\r\n");
    if (body.substr(end, 2) == "\r\n") ++end;
    body.remove_prefix(std::min(end + 1, body.size()));
  }
}

// curl_global_init is not thread-safe (it sets up OpenSSL and the resolver)
// and the outbox sends from pool threads, so it runs exactly once, before
// the first handle. There is no curl_global_cleanup: libcurl lives as long
// as the process.
CURLcode initCurlOnce() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

size_t readUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* rest = static_cast<std::string_view*>(user);
  const size_t n = std::min(size * count, rest->size());
  std::memcpy(buffer, rest->data(), n);
  rest->remove_prefix(n);
  return n;
}

// libcurl hands every SMTP reply line to the header callback. The last 4xx
// or 5xx one is the server's own reason for refusing (later lines answer
// QUIT). Kept short: it goes into an error message.
size_t keepRefusal(char* buffer, size_t size, size_t count, void* user) {
  std::string_view line(buffer, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (!line.empty() && (line[0] == '4' || line[0] == '5')) {
    *static_cast<std::string*>(user) = line.substr(0, 200);
  }
  return size * count;
}

}  // namespace

Result<void> validateSmtpSettings(const SmtpSettings& settings) {
  const std::string url = serverUrl(settings.url);
  const auto scheme_end = url.find("://");
  const std::string scheme = lowercase(std::string_view(url).substr(0, scheme_end));
  if (scheme != "smtp" && scheme != "smtps") {
    return invalid("url", fmt::format("has scheme '{}'; use smtp:// or smtps://",
                                      text::escapeControl(scheme)));
  }
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; })) {
    return invalid("url", "contains spaces or control characters");
  }
  const std::string_view rest = std::string_view(url).substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty()) return invalid("url", "names no server");
  // Error messages print the URL; a password in it would end up in logs.
  if (authority.find('@') != std::string_view::npos) {
    return invalid("url", "holds credentials; set username and password instead");
  }
  SC_TRY(checkAddress("from", settings.from));
  if (settings.to.empty()) return invalid("to", "lists no recipient");
  for (std::size_t i = 0; i < settings.to.size(); ++i) {
    SC_TRY(checkAddress(fmt::format("to[{}]", i), settings.to[i]));
  }
  if (!settings.username.empty() && scheme == "smtp" && !settings.starttls) {
    return invalid("username", "would cross the network in clear text; use smtps:// or starttls");
  }
  if (settings.timeout.count() <= 0) return invalid("timeout", "must be at least one second");
  return ok();
}

std::string formatMessage(const SmtpSettings& settings, const MailMessage& message) {
  SC_ASSERT(validateSmtpSettings(settings).has_value(), "addresses go into headers unquoted");
  std::string out =
      fmt::format("Date: {}\r\nFrom: {}\r\n", rfc5322Date(message.date), settings.from);
  out += toHeader(settings.to);
  out += subjectHeader(message.subject);
  if (!message.message_id.empty()) out += messageIdHeader(settings, message.message_id);
  out +=
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\n";
  // No dot-stuffing here: libcurl's SMTP upload (Curl_smtp_escape_eob in
  // lib/smtp.c; curl's test 901) sends every CRLF "." as CRLF "..", and
  // tests/integration/smtp_sender_test.cpp checks it against a real server.
  appendBody(out, message.body);
  return out;
}

Result<void> sendMail(const SmtpSettings& settings, const MailMessage& message) {
  SC_TRY(validateSmtpSettings(settings));
  const std::string url = serverUrl(settings.url);
  if (const CURLcode init = initCurlOnce(); init != CURLE_OK) {
    return Error(ErrorCode::Io, "libcurl could not be initialised", {}, curl_easy_strerror(init));
  }
  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                 &curl_easy_cleanup);
  if (!curl) return Error(ErrorCode::Io, "libcurl could not create a handle");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt(nullptr, &curl_slist_free_all);
  for (const std::string& to : settings.to) {
    curl_slist* grown = curl_slist_append(rcpt.get(), to.c_str());
    if (grown == nullptr) return Error(ErrorCode::Io, "out of memory listing recipients");
    if (!rcpt) rcpt.reset(grown);  // later appends return the same head
  }
  const std::string text = formatMessage(settings, message);
  std::string_view unsent = text;
  std::string refusal;
  std::array<char, CURL_ERROR_SIZE> error_text{};
  const auto timeout = static_cast<long>(settings.timeout.count());

  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl.get(), option, value);
  };
  set(CURLOPT_ERRORBUFFER, error_text.data());
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_PROXY, "");     // ignore all_proxy and friends: relays are reached directly
  set(CURLOPT_NOSIGNAL, 1L);  // SIGALRM for resolver timeouts is unsafe with threads
  set(CURLOPT_TIMEOUT, timeout);
  set(CURLOPT_CONNECTTIMEOUT, timeout);
  set(CURLOPT_MAIL_FROM, settings.from.c_str());
  set(CURLOPT_MAIL_RCPT, rcpt.get());
  set(CURLOPT_UPLOAD, 1L);
  set(CURLOPT_READFUNCTION, &readUpload);
  set(CURLOPT_READDATA, &unsent);
  // Lets a server that announces SIZE (RFC 1870) refuse before the upload.
  set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
  set(CURLOPT_HEADERFUNCTION, &keepRefusal);
  set(CURLOPT_HEADERDATA, &refusal);
  if (settings.starttls) set(CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!settings.ca_file.empty()) set(CURLOPT_CAINFO, settings.ca_file.c_str());
  if (!settings.username.empty()) {
    set(CURLOPT_USERNAME, settings.username.c_str());
    set(CURLOPT_PASSWORD, settings.password.c_str());
  }
  if (rc != CURLE_OK) {
    return Error(ErrorCode::Io, "libcurl cannot be set up to send mail", {},
                 curl_easy_strerror(rc));
  }

  rc = curl_easy_perform(curl.get());
  if (rc == CURLE_OK) return ok();
  long code = 0;
  static_cast<void>(curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code));
  const std::string said = error_text[0] != '\0' ? error_text.data() : curl_easy_strerror(rc);
  std::string cause = code > 0 ? fmt::format("{}; SMTP reply {}", said, code) : said;
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return Error(ErrorCode::Timeout,
                 fmt::format("the SMTP server {} did not finish within {}s", url, timeout), {},
                 std::move(cause));
  }
  if (code >= 400) {
    return Error(ErrorCode::Io,
                 fmt::format("the SMTP server {} refused the message{}{}", url,
                             refusal.empty() ? "" : ": ", text::escapeControl(refusal)),
                 {}, std::move(cause));
  }
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
    return Error(ErrorCode::Io, fmt::format("cannot connect to the SMTP server {}", url), {},
                 std::move(cause));
  }
  return Error(ErrorCode::Io, fmt::format("sending mail through the SMTP server {} failed", url),
               {}, std::move(cause));
}

}  // namespace sc::controller::mail
