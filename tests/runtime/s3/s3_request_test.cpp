// Request building: the URL that is sent is SigV4-canonical (encoded path, sorted encoded query), every request
// carries the SHA-256 of its body, DeleteObjects carries its Content-MD5, and the builder refuses what S3 would.
#include "runtime/s3/s3_request.h"

#include <gtest/gtest.h>

namespace sk::s3 {
namespace {

RequestBuilder path_builder() { return {*Endpoint::parse("http://127.0.0.1:9000"), "bkt", Addressing::kPath}; }

TEST(S3Request, UriEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(uri_encode("a b/c~d_e.f-g+h%=&?", true), "a%20b/c~d_e.f-g%2Bh%25%3D%26%3F");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(uri_encode("\xc3\xa9", true), "%C3%A9");
}

TEST(S3Request, DigestsMatchKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(md5_base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(md5_base64("abc"), "kAFQmDzST7DWlj99KOF/cg==");
}

TEST(S3Request, ListObjectsQueryIsSortedAndEncoded) {
  const HttpRequest r = path_builder().list_objects({"snap/x y", "/", "1/abc+=", 1000});
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.operation, "ListObjectsV2");
  EXPECT_EQ(r.url,
            "http://127.0.0.1:9000/bkt?continuation-token=1%2Fabc%2B%3D&delimiter=%2F&list-type=2&max-keys=1000"
            "&prefix=snap%2Fx%20y");
  ASSERT_NE(r.header("x-amz-content-sha256"), nullptr);
  EXPECT_EQ(*r.header("x-amz-content-sha256"), sha256_hex(""));
  const HttpRequest first = path_builder().list_objects({"", "", "", 5000});
  EXPECT_EQ(first.url, "http://127.0.0.1:9000/bkt?list-type=2&max-keys=1000");  // S3's page limit
}

TEST(S3Request, VirtualHostAddressingPutsTheBucketInTheHost) {
  const RequestBuilder vhost(*Endpoint::parse("https://s3.eu-west-1.amazonaws.com"), "bkt", Addressing::kVirtualHost);
  EXPECT_EQ(vhost.list_objects({}).url, "https://bkt.s3.eu-west-1.amazonaws.com/?list-type=2&max-keys=1000");
  EXPECT_EQ(vhost.get_object("a b/c").url, "https://bkt.s3.eu-west-1.amazonaws.com/a%20b/c");
  EXPECT_EQ(vhost.describe(), "s3://bkt at https://s3.eu-west-1.amazonaws.com");
}

TEST(S3Request, ObjectRequestsEncodeTheKeyAndHashTheBody) {
  const auto get = path_builder().get_object("repo/__ss_a b/__info_2026-01-01");
  EXPECT_EQ(get.url, "http://127.0.0.1:9000/bkt/repo/__ss_a%20b/__info_2026-01-01");
  const auto put = path_builder().put_object("k/../x", "abc");
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.url, "http://127.0.0.1:9000/bkt/k/../x");
  EXPECT_EQ(put.body, "abc");
  EXPECT_EQ(*put.header("x-amz-content-sha256"), sha256_hex("abc"));
  EXPECT_EQ(*put.header("content-md5"), "kAFQmDzST7DWlj99KOF/cg==");
  for (const auto& [name, value] : put.headers) EXPECT_EQ(name, uri_encode(name, false)) << "lower-case, plain";
  EXPECT_EQ(path_builder().get_bucket_subresource("GetBucketVersioning", "versioning").url,
            "http://127.0.0.1:9000/bkt?versioning=");
}

TEST(S3Request, DeleteObjectsCarriesEscapedKeysAndContentMd5) {
  const std::vector<std::string> keys = {"a&b<c>\"d'", "tab\there\r"};
  auto r = path_builder().delete_objects(keys);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url, "http://127.0.0.1:9000/bkt?delete=");
  EXPECT_EQ(r->body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Quiet>false</Quiet><Object><Key>a&amp;b&lt;c&gt;&quot;d&apos;</Key></Object>"
            "<Object><Key>tab&#9;here&#13;</Key></Object></Delete>");
  ASSERT_NE(r->header("content-md5"), nullptr);
  EXPECT_EQ(*r->header("content-md5"), md5_base64(r->body));
  EXPECT_EQ(*r->header("x-amz-content-sha256"), sha256_hex(r->body));
}

TEST(S3Request, DeleteObjectsRefusesWhatS3Would) {
  const auto code_of = [](std::vector<std::string> keys) {
    auto r = path_builder().delete_objects(keys);
    return r ? std::string("ok") : r.error().code;
  };
  EXPECT_EQ(code_of({}), "s3.usage");
  EXPECT_EQ(code_of(std::vector<std::string>(1001, "k")), "s3.usage");
  std::vector<std::string> thousand;
  for (int i = 0; i < 1000; ++i) thousand.push_back("k" + std::to_string(i));
  EXPECT_EQ(code_of(thousand), "ok");
  EXPECT_EQ(code_of({"a", "a"}), "s3.usage");
  EXPECT_EQ(code_of({std::string("bell\x07")}), "s3.usage");
}

}  // namespace
}  // namespace sk::s3
