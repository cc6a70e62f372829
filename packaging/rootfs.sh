#!/bin/sh
# Lays out everything the runtime image holds, for a FROM scratch stage (Dockerfile):
#   OUT/root  the binary as /gateway, the glibc files it links (as ldd lists them, at the same paths),
#             /etc/passwd and /etc/group naming the unprivileged user 65532
#   OUT/data  the empty /data (the Dockerfile gives it to that user)
#   packaging/rootfs.sh BINARY OUT
set -eu
bin=$1 out=$2
rm -rf "$out"
mkdir -p "$out/root/etc" "$out/data"
cp "$bin" "$out/root/gateway"
for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do cp -L --parents "$lib" "$out/root"; done
echo "gateway:x:65532:65532:openai-gateway:/data:/nonexistent" >"$out/root/etc/passwd"
echo "gateway:x:65532:" >"$out/root/etc/group"
