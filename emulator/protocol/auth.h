// mysql_native_password: the 20-byte scramble the server sends and the check of the client's token
// SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))). Internal to sk_emu_protocol; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sk::emu::auth {

inline constexpr size_t kScrambleLength = 20;
inline constexpr std::string_view kNativePlugin = "mysql_native_password";
inline constexpr std::string_view kClearPlugin = "mysql_clear_password";

// 20 random printable bytes (never NUL), as MySQL servers send.
std::string make_scramble();

// The token a client computes for `password` and `scramble`; empty for an empty password.
std::string native_token(std::string_view password, std::string_view scramble);

// True when `client_token` proves knowledge of `password`.
bool verify_native(std::string_view password, std::string_view scramble, std::string_view client_token);

}  // namespace sk::emu::auth
