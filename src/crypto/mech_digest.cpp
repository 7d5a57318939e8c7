// Message digests SHA-1 and SHA-2 (CKM_SHA_1, CKM_SHA224..512).
#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

class DigestOpImpl final : public DigestOp {
public:
    DigestOpImpl(MdCtxPtr ctx, size_t size) : m_ctx(std::move(ctx)), m_size(size) {}
    size_t digest_size() const override { return m_size; }
    Status update(ByteView data) override {
        if (EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()) != 1)
            return ossl_error("digest update", Err::FunctionFailed);
        return {};
    }
    Result<Bytes> final() override {
        Bytes out(m_size);
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(m_ctx.get(), out.data(), &len) != 1)
            return ossl_error("digest final", Err::FunctionFailed);
        out.resize(len);
        return out;
    }

private:
    MdCtxPtr m_ctx;
    size_t m_size;
};

class Digest final : public MechImpl {
public:
    explicit Digest(Hash h) : m_hash(h) {}
    Result<std::unique_ptr<DigestOp>> digest(const MechParams& p) const override {
        SR_TRY(expect_no_params(p));
        MdCtxPtr ctx(EVP_MD_CTX_new());
        if (!ctx || EVP_DigestInit_ex2(ctx.get(), md_of(m_hash), nullptr) != 1)
            return ossl_error("starting digest", Err::FunctionFailed);
        return std::unique_ptr<DigestOp>(
            std::make_unique<DigestOpImpl>(std::move(ctx), hash_size(m_hash)));
    }

private:
    Hash m_hash;
};

}  // namespace

void add_digest_mechanisms(MechDefs& out) {
    struct HashMech {
        MechanismId id;
        std::string_view name;
        Hash hash;
    };
    const HashMech digests[] = {{mech::kSha1, "CKM_SHA_1", Hash::Sha1},
                                {mech::kSha224, "CKM_SHA224", Hash::Sha224},
                                {mech::kSha256, "CKM_SHA256", Hash::Sha256},
                                {mech::kSha384, "CKM_SHA384", Hash::Sha384},
                                {mech::kSha512, "CKM_SHA512", Hash::Sha512}};
    // Digests take no key; the key-type list is empty and the size range unused.
    for (const auto& d : digests)
        out.push_back({MechanismInfo{d.id, d.name, op::kDigest, {}, 0, 0, false},
                       std::make_shared<Digest>(d.hash)});
}

}  // namespace sr::crypto::detail
