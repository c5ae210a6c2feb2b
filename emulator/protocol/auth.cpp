#include "emulator/protocol/auth.h"

#include <array>
#include <random>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace sk::emu::auth {
namespace {

std::array<unsigned char, SHA_DIGEST_LENGTH> sha1(std::string_view a, std::string_view b = {}) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  EVP_DigestFinal_ex(ctx, out.data(), nullptr);
  EVP_MD_CTX_free(ctx);
  return out;
}

std::string_view as_view(const std::array<unsigned char, SHA_DIGEST_LENGTH>& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace

std::string make_scramble() {
  std::array<unsigned char, kScrambleLength> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    std::random_device rd;
    for (auto& b : raw) b = static_cast<unsigned char>(rd());
  }
  std::string out;
  out.reserve(kScrambleLength);
  // Printable ASCII 0x21..0x7e: never NUL, safe for clients that treat the scramble as a C string.
  for (unsigned char b : raw) out.push_back(static_cast<char>(0x21 + b % 94));
  return out;
}

std::string native_token(std::string_view password, std::string_view scramble) {
  if (password.empty()) return {};
  auto stage1 = sha1(password);
  auto stage2 = sha1(as_view(stage1));
  auto mix = sha1(scramble, as_view(stage2));
  std::string out(SHA_DIGEST_LENGTH, '\0');
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(stage1[i] ^ mix[i]);
  return out;
}

bool verify_native(std::string_view password, std::string_view scramble, std::string_view client_token) {
  return native_token(password, scramble) == client_token;
}

}  // namespace sk::emu::auth
