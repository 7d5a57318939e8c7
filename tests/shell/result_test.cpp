// The shells' result line: every error code reaches the operator as a named PKCS#11 or Luna code.
#include "shell/result.h"

#include <gtest/gtest.h>

namespace sr::shell {
namespace {

TEST(ShellResult, SuccessSaysNoError) {
    EXPECT_EQ(result_line(Status()), "Command Result : No Error");
    EXPECT_EQ(exit_status(Status()), 0);
}

TEST(ShellResult, StandardAndVendorCodesShowHexAndName) {
    EXPECT_EQ(result_line(error(Err::PinIncorrect, "x")), "Command Result : 0xa0 (CKR_PIN_INCORRECT)");
    EXPECT_EQ(result_line(error(Err::OperationNotAllowed, "x")),
              "Command Result : 0x80000030 (CKR_OPERATION_NOT_ALLOWED)");
    EXPECT_EQ(result_line(error(Err::CertificateInvalid, "x")),
              "Command Result : 0x80000f01 (CKR_CERTIFICATE_INVALID)");
}

TEST(ShellResult, EveryErrorCodeHasANamedResultLine) {
    for (Err e : all_errors()) {
        if (e == Err::Ok) continue;
        const std::string line = result_line(error(e, "x"));
        EXPECT_EQ(line.find("CKR_VENDOR_DEFINED"), std::string::npos)
            << err_name(e) << " -> " << line;
        EXPECT_NE(line.find("(CKR_"), std::string::npos) << err_name(e);
    }
}

TEST(ShellResult, UsageErrorsExitTwoOtherFailuresOne) {
    EXPECT_EQ(exit_status(error(Err::ArgumentsBad, "x")), 2);
    EXPECT_EQ(exit_status(error(Err::PinIncorrect, "x")), 1);
}

}  // namespace
}  // namespace sr::shell
