#include "server/compress.h"

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace renkei::server {
namespace {

std::string Gunzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::string Unbrotli(const std::string& data) {
  std::string out(1 << 20, '\0');
  size_t size = out.size();
  EXPECT_EQ(BrotliDecoderDecompress(data.size(), reinterpret_cast<const uint8_t*>(data.data()),
                                    &size, reinterpret_cast<uint8_t*>(out.data())),
            BROTLI_DECODER_RESULT_SUCCESS);
  out.resize(size);
  return out;
}

Encoding Accepted(const char* header) {
  Request req;
  if (header != nullptr) req.set_header("Accept-Encoding", header);
  return AcceptedEncoding(req);
}

TEST(CompressTest, AcceptEncoding) {
  EXPECT_EQ(Accepted(nullptr), Encoding::kIdentity);
  EXPECT_EQ(Accepted("identity"), Encoding::kIdentity);
  EXPECT_EQ(Accepted("gzip, deflate, br"), Encoding::kBrotli);
  EXPECT_EQ(Accepted("gzip, deflate"), Encoding::kGzip);
  EXPECT_EQ(Accepted("GZIP"), Encoding::kGzip);
  EXPECT_EQ(Accepted("br;q=0, gzip;q=0.5"), Encoding::kGzip);
  EXPECT_EQ(Accepted("br;q=0,gzip;q=0"), Encoding::kIdentity);
  EXPECT_EQ(Accepted("*"), Encoding::kBrotli);
  EXPECT_EQ(Accepted("*;q=0, gzip"), Encoding::kGzip);
  EXPECT_EQ(Accepted("deflate"), Encoding::kIdentity);
}

TEST(CompressTest, CompressibleTypes) {
  EXPECT_TRUE(Compressible("application/json"));
  EXPECT_TRUE(Compressible("application/json; charset=utf-8"));
  EXPECT_TRUE(Compressible("text/javascript; charset=utf-8"));
  EXPECT_TRUE(Compressible("TEXT/HTML"));
  EXPECT_TRUE(Compressible("image/svg+xml"));
  EXPECT_FALSE(Compressible("image/png"));
  EXPECT_FALSE(Compressible("application/octet-stream"));
  EXPECT_FALSE(Compressible(""));
}

TEST(CompressTest, RoundTrips) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"site\":\"site:" + std::to_string(i % 97) + "\"},";
  for (int level : {1, 4, 9}) {
    const std::string gz = Compress(text, Encoding::kGzip, level);
    EXPECT_LT(gz.size(), text.size() / 5) << level;
    EXPECT_EQ(Gunzip(gz), text) << level;
  }
  for (int quality : {0, 4, 11}) {
    const std::string br = Compress(text, Encoding::kBrotli, quality);
    EXPECT_LT(br.size(), text.size() / 5) << quality;
    EXPECT_EQ(Unbrotli(br), text) << quality;
  }
  EXPECT_EQ(Compress(text, Encoding::kIdentity, 9), text);
  EXPECT_EQ(Gunzip(Compress("", Encoding::kGzip, 4)), "");
}

}  // namespace
}  // namespace renkei::server
