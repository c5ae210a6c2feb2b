// Reading S3's answers from canned documents (shapes as in the S3 API reference): strict about what a caller relies
// on, so a malformed answer is an error and never an empty listing or a "pass".
#include "runtime/s3/s3_responses.h"

#include <gtest/gtest.h>

#include "runtime/s3/xml.h"

namespace sk::s3 {
namespace {

constexpr std::string_view kListPage = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bkt</Name><Prefix>repo/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents><Key>repo/a</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>
    <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents><Key>repo/ spaced &amp; odd </Key><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>repo/__ss_x/</Prefix></CommonPrefixes>
</ListBucketResult>)";

TEST(S3Responses, ListPageKeepsKeysExactlyAndTheToken) {
  auto page = parse_list_objects(kListPage);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->objects.size(), 2U);
  EXPECT_EQ(page->objects[0], (ObjectSummary{"repo/a", 434234, "\"9b2cf535f27731c974343645a3985328\"",
                                             "2026-01-02T03:04:05.000Z"}));
  EXPECT_EQ(page->objects[1].key, "repo/ spaced & odd ");
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"repo/__ss_x/"});
  ASSERT_TRUE(page->next_token);
  EXPECT_EQ(*page->next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3Responses, TheLastPageHasNoToken) {
  auto page = parse_list_objects("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_TRUE(page->objects.empty());
  EXPECT_FALSE(page->next_token);
}

TEST(S3Responses, MalformedListingsAreErrors) {
  for (const char* bad : {
           "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",    // no token: would loop
           "<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",  // IsTruncated missing
           "<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>",
           "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>-1</Size></Contents>"
           "</ListBucketResult>",
           "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Size>1</Size></Contents></ListBucketResult>",
           "<Error><Code>AccessDenied</Code></Error>",
           "<ListBucketResult><IsTruncated>false</IsTruncated>",
           "not xml at all",
           ""}) {
    auto page = parse_list_objects(bad);
    ASSERT_FALSE(page) << bad;
    EXPECT_EQ(page.error().code, "s3.parse") << bad;
  }
}

TEST(S3Xml, DoctypesAndDeepNestingAreRefused) {
  const char* laughs = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<ListBucketResult><IsTruncated>false</IsTruncated><Prefix>&lol2;</Prefix></ListBucketResult>)";
  auto doc = parse_xml(laughs);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("DOCTYPE"), std::string::npos);
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += "<a>";
  for (int i = 0; i < 70; ++i) deep += "</a>";
  ASSERT_FALSE(parse_xml(deep));
  auto ok = parse_xml("<x:Root xmlns:x='u'><x:Child> t </x:Child></x:Root>");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->name, "Root");
  EXPECT_EQ(ok->child_text("Child"), "t");
  EXPECT_EQ(ok->child("Child")->text, " t ");
}

TEST(S3Responses, DeleteResultAccountsForEveryRequestedKey) {
  const std::vector<std::string> asked = {"a", "b", "c"};
  auto batch = parse_delete_result(R"(<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
      <Deleted><Key>a</Key></Deleted>
      <Error><Key>b</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
    </DeleteResult>)",
                                   asked);
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->deleted, std::vector<std::string>{"a"});
  ASSERT_EQ(batch->failed.size(), 2U);
  EXPECT_EQ(batch->failed[0], (KeyFailure{"b", "AccessDenied", "Access Denied"}));
  EXPECT_EQ(batch->failed[1].key, "c");
  EXPECT_EQ(batch->failed[1].code, "NotConfirmed");

  auto stranger = parse_delete_result("<DeleteResult><Deleted><Key>zzz</Key></Deleted></DeleteResult>", asked);
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code, "s3.parse");
}

TEST(S3Responses, ErrorBodies) {
  const auto e = parse_error_body(R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>
<BucketName>nope</BucketName><RequestId>4442587FB7D0A2F9</RequestId></Error>)");
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.message, "The specified bucket does not exist");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(parse_error_body("<html><body>502 Bad Gateway</body></html>").code, "");
  EXPECT_EQ(parse_error_body("").code, "");
}

TEST(S3Responses, Versioning) {
  auto never = parse_versioning(R"(<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>)");
  ASSERT_TRUE(never) << never.error().message;
  EXPECT_EQ(never->status, VersioningStatus::kNeverEnabled);
  auto on = parse_versioning(
      "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>");
  ASSERT_TRUE(on) << on.error().message;
  EXPECT_EQ(on->status, VersioningStatus::kEnabled);
  EXPECT_TRUE(on->mfa_delete);
  auto suspended = parse_versioning("<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>");
  ASSERT_TRUE(suspended);
  EXPECT_EQ(suspended->status, VersioningStatus::kSuspended);
  EXPECT_FALSE(parse_versioning("<VersioningConfiguration><Status>On</Status></VersioningConfiguration>"));
  EXPECT_FALSE(parse_versioning("<ListBucketResult/>"));
}

TEST(S3Responses, ObjectLock) {
  auto lock = parse_object_lock(R"(<ObjectLockConfiguration>
      <ObjectLockEnabled>Enabled</ObjectLockEnabled>
      <Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>30</Days></DefaultRetention></Rule>
    </ObjectLockConfiguration>)");
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(lock->enabled);
  ASSERT_TRUE(lock->default_retention);
  EXPECT_EQ(lock->default_retention->mode, RetentionMode::kCompliance);
  EXPECT_EQ(lock->default_retention->days, 30);
  auto bare = parse_object_lock("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
                                "</ObjectLockConfiguration>");
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->default_retention);
  EXPECT_FALSE(parse_object_lock("<ObjectLockConfiguration><Rule><DefaultRetention><Mode>GOVERNANCE</Mode>"
                                 "<Days>1</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>"));
  EXPECT_FALSE(parse_object_lock("<ObjectLockConfiguration><Rule><DefaultRetention><Mode>STRICT</Mode>"
                                 "<Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>"));
}

TEST(S3Responses, LifecycleRules) {
  auto lc = parse_lifecycle(R"(<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
      <Rule><ID>daily</ID><Filter><Prefix>repo/__ss_daily_</Prefix></Filter><Status>Enabled</Status>
        <Expiration><Days>21</Days></Expiration>
        <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>
      </Rule>
      <Rule><ID>tagged</ID><Filter><And><Prefix>repo/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>
        <Status>Disabled</Status><NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays>
        </NoncurrentVersionExpiration></Rule>
      <Rule><ID>legacy</ID><Prefix>old/</Prefix><Status>Enabled</Status>
        <Expiration><Date>2027-01-01T00:00:00.000Z</Date></Expiration></Rule>
    </LifecycleConfiguration>)");
  ASSERT_TRUE(lc) << lc.error().message;
  ASSERT_EQ(lc->rules.size(), 3U);
  const auto& daily = lc->rules[0];
  EXPECT_EQ(daily.id, "daily");
  EXPECT_TRUE(daily.enabled);
  EXPECT_EQ(daily.prefix, "repo/__ss_daily_");
  EXPECT_FALSE(daily.other_filters);
  EXPECT_EQ(daily.expiration_days, 21);
  EXPECT_EQ(daily.abort_multipart_days, 7);
  const auto& tagged = lc->rules[1];
  EXPECT_FALSE(tagged.enabled);
  EXPECT_EQ(tagged.prefix, "repo/");
  EXPECT_TRUE(tagged.other_filters);
  EXPECT_EQ(tagged.noncurrent_days, 3);
  EXPECT_FALSE(tagged.expiration_days);
  EXPECT_EQ(lc->rules[2].prefix, "old/");
  EXPECT_EQ(lc->rules[2].expiration_date, "2027-01-01T00:00:00.000Z");
  EXPECT_FALSE(parse_lifecycle("<LifecycleConfiguration><Rule><ID>x</ID><Status>Enabled</Status><Expiration>"
                               "<Days>soon</Days></Expiration></Rule></LifecycleConfiguration>"));
  EXPECT_FALSE(parse_lifecycle("<LifecycleConfiguration><Rule><ID>x</ID></Rule></LifecycleConfiguration>"));
}

}  // namespace
}  // namespace sk::s3
