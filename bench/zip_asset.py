"""Zips the Lambda's `bootstrap` as the deployable asset and prints the zip's size.

    python bench/zip_asset.py target/lambda/secrets-cmk-rule/bootstrap bench/work/secrets-cmk-rule.zip

One entry, `bootstrap`, mode 0755, deflated at level 9: what the CDK's
`Code.fromAsset(target/lambda/secrets-cmk-rule)` uploads (cdk-assets zips with zlib
level 9). The zip is written outside that directory on purpose: a zip left beside
`bootstrap` would be uploaded inside the asset too.
"""

import os
import sys
import zipfile


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, destination = sys.argv[1], sys.argv[2]
    info = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(binary, "rb") as source, zipfile.ZipFile(destination, "w") as archive:
        archive.writestr(info, source.read(), compresslevel=9)
    print(os.path.getsize(destination))
    return 0


if __name__ == "__main__":
    sys.exit(main())
