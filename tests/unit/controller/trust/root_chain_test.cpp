// The controller's root documents (controller/trust): `scctl trust init`
// and `rotate` write only what an agent would believe, never replace a
// version, and loadChain() verifies the whole directory.
#include "controller/trust/root_chain.h"

#include <gtest/gtest.h>

#include "common/fs/atomic_file.h"
#include "tests/support/test_tree.h"

namespace sc::controller::trust {
namespace {

using envelope::PrivateKey;

class RootChainTest : public ::testing::Test {
 protected:
  RootChainTest()
      : root1_(*PrivateKey::generate()),
        root2_(*PrivateKey::generate()),
        signing_(*PrivateKey::generate()),
        signing2_(*PrivateKey::generate()) {}

  std::filesystem::path dir() const { return temp_.path() / "trust"; }

  Result<envelope::TrustedRoot> init() {
    envelope::RootDocument document;
    document.root_keys = {root1_.publicKey()};
    document.signing_keys = {signing_.publicKey()};
    return initChain(dir(), document, {root1_});
  }

  sc::testing::TempDir temp_;
  PrivateKey root1_, root2_, signing_, signing2_;
};

TEST_F(RootChainTest, InitWritesVersionOneOnce) {
  auto first = init();
  ASSERT_TRUE(first.has_value()) << first.error().describe();
  EXPECT_TRUE(std::filesystem::exists(dir() / "root.1.json"));
  EXPECT_EQ(init().error().code(), ErrorCode::Conflict);
  auto chain = loadChain(dir());
  ASSERT_TRUE(chain.has_value());
  ASSERT_EQ(chain->size(), 1u);
  EXPECT_EQ(chain->front().envelope_text, first->envelope_text);
  // No directory: no chain, no error.
  EXPECT_TRUE(loadChain(temp_.path() / "none")->empty());
}

TEST_F(RootChainTest, RotationNeedsBothThresholds) {
  ASSERT_TRUE(init().has_value());
  RootChange add_root;
  add_root.add_root_keys = {root2_.publicKey()};
  add_root.root_threshold = 2;
  // Signed by the old root key only: the new threshold (2) is not met.
  auto refused = rotateChain(dir(), add_root, {root1_});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::SignatureInvalid);
  EXPECT_FALSE(std::filesystem::exists(dir() / "root.2.json"));
  // Signed by the new key only: version 1's threshold is not met.
  EXPECT_EQ(rotateChain(dir(), add_root, {root2_}).error().code(), ErrorCode::SignatureInvalid);
  auto second = rotateChain(dir(), add_root, {root1_, root2_});
  ASSERT_TRUE(second.has_value()) << second.error().describe();
  EXPECT_EQ(second->document.version, 2u);

  RootChange swap_signing;
  swap_signing.add_signing_keys = {signing2_.publicKey()};
  swap_signing.retire_key_ids = {signing_.publicKey().id()};
  auto third = rotateChain(dir(), swap_signing, {root1_, root2_});
  ASSERT_TRUE(third.has_value()) << third.error().describe();
  EXPECT_EQ(third->document.signing_keys.size(), 1u);
  EXPECT_EQ(third->document.retired_key_ids, std::vector<std::string>{signing_.publicKey().id()});
  // A retired key is never trusted again.
  RootChange back;
  back.add_signing_keys = {signing_.publicKey()};
  EXPECT_EQ(rotateChain(dir(), back, {root1_, root2_}).error().code(), ErrorCode::Conflict);

  auto chain = loadChain(dir());
  ASSERT_TRUE(chain.has_value()) << chain.error().describe();
  EXPECT_EQ(chain->size(), 3u);
}

TEST_F(RootChainTest, ABrokenDirectoryIsAnError) {
  ASSERT_TRUE(init().has_value());
  RootChange change;
  change.add_signing_keys = {signing2_.publicKey()};
  ASSERT_TRUE(rotateChain(dir(), change, {root1_}).has_value());
  // A version missing in the middle, then a forged one in its place.
  std::filesystem::rename(dir() / "root.2.json", dir() / "root.3.json");
  EXPECT_EQ(loadChain(dir()).error().code(), ErrorCode::NotFound);
  std::filesystem::rename(dir() / "root.3.json", dir() / "root.2.json");
  envelope::RootDocument forged;
  forged.version = 3;
  forged.root_keys = {root2_.publicKey()};
  forged.signing_keys = {signing2_.publicKey()};
  envelope::Envelope sealed{
      std::string(envelope::kRootPayloadType), envelope::serializeRoot(forged), {}};
  envelope::addSignature(sealed, root2_);
  fs::AtomicWriteOptions options;
  ASSERT_TRUE(
      fs::writeFileAtomic(dir() / "root.3.json", envelope::serialize(sealed), options).has_value());
  const auto broken = loadChain(dir());
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().code(), ErrorCode::SignatureInvalid);
  EXPECT_NE(broken.error().where().find("root.3.json"), std::string::npos);
}

}  // namespace
}  // namespace sc::controller::trust
