# shellcheck shell=bash
# Sourced by scripts/engines/k8s.sh: images for the cluster's containerd without a registry.
# Archives are imported into containerd's k8s.io namespace (the one the kubelet's CRI uses);
# pods use them with imagePullPolicy Never or IfNotPresent. The CRI normalises an unqualified
# name (shellgate-test/busybox:1 is docker.io/shellgate-test/busybox:1), so names stored here
# are the normalised ones. Not run on its own.

ctr_k8s() { ctr --address "$CONTAINERD_SOCKET" --namespace k8s.io "$@"; }

# The normalised form of an image reference, as the CRI looks it up.
normalise_image_ref() {
  local ref=$1 first=${1%%/*}
  if [ "$first" = "$ref" ]; then
    ref=docker.io/library/$ref
  else
    case "$first" in *.* | *:* | localhost) ;; *) ref=docker.io/$ref ;; esac
  fi
  case "${ref##*/}" in *:* | *@*) ;; *) ref=$ref:latest ;; esac
  echo "$ref"
}

# Moves FILE into the blob store of OCI layout DIR and prints `digest size`.
add_oci_blob() {
  local dir=$1 file=$2 digest size
  digest=$(sha256sum "$file" | cut -d' ' -f1)
  size=$(stat -c %s "$file")
  mv "$file" "$dir/blobs/sha256/$digest"
  echo "sha256:$digest $size"
}

# Writes OUT, an OCI archive of the one-layer image ROOTFS with config CMD_JSON and ENV_LINE
# (KEY=VALUE), named by each of REFS (normalised): one import gives them all.
write_oci_archive() {
  local rootfs=$1 out=$2 cmd_json=$3 env_line=$4
  shift 4
  local dir layer config manifest ref manifests=""
  dir=$(mktemp -d "$STATE_DIR/images/oci-XXXXXX")
  mkdir -p "$dir/blobs/sha256"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$dir/layer.tar" .
  local diff_id
  diff_id=sha256:$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  read -r -a layer <<<"$(add_oci_blob "$dir" "$dir/layer.tar")"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["%s"],"Cmd":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
    "$env_line" "$cmd_json" "$diff_id" >"$dir/config.json"
  read -r -a config <<<"$(add_oci_blob "$dir" "$dir/config.json")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' \
    "${config[0]}" "${config[1]}" "${layer[0]}" "${layer[1]}" >"$dir/manifest.json"
  read -r -a manifest <<<"$(add_oci_blob "$dir" "$dir/manifest.json")"
  for ref in "$@"; do
    ref=$(normalise_image_ref "$ref")
    manifests="$manifests${manifests:+,}$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s"}}' \
      "${manifest[0]}" "${manifest[1]}" "$ref")"
  done
  printf '{"schemaVersion":2,"manifests":[%s]}' "$manifests" >"$dir/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  tar -C "$dir" -cf "$out" oci-layout index.json blobs
  rm -rf "$dir"
}

# Not grep -q: it stops reading at the first match, and ctr dying of SIGPIPE fails the pipeline.
has_image() { ctr_k8s images ls -q | grep -Fx "$(normalise_image_ref "$1")" >/dev/null; }

# The test image (scripts/engines/test-image.sh) and the pod sandbox ("pause") image: the same
# busybox layer, whose default command waits for SIGTERM, which is all a pause container does.
load_test_images() {
  if has_image "$TEST_IMAGE" && has_image "$PAUSE_IMAGE"; then
    say "images $TEST_IMAGE and $PAUSE_IMAGE present"
    return 0
  fi
  local root=$STATE_DIR/images/busybox-rootfs archive=$STATE_DIR/images/busybox.tar
  mkdir -p "$STATE_DIR/images"
  write_busybox_rootfs "$root"
  write_oci_archive "$root" "$archive" "${TEST_IMAGE_CMD#CMD }" "${TEST_IMAGE_PATH_ENV#ENV }" "$TEST_IMAGE" "$PAUSE_IMAGE"
  rm -rf "$root"
  ctr_k8s images import "$archive" >/dev/null
  rm -f "$archive"
  say "imported $TEST_IMAGE and $PAUSE_IMAGE into containerd (namespace k8s.io)"
}

# Imports an image archive (OCI layout, or `docker save` output) and names what it holds.
load_archive() {
  local file=$1
  [ -f "$file" ] || fail "no image archive at $file"
  ctr_k8s images import --all-platforms "$file" | sed 's/^/  /'
  say "imported $file into the cluster (namespace k8s.io); pods use imagePullPolicy: Never or IfNotPresent"
}

# Copies REF from the local dockerd into the cluster.
load_docker_image() {
  local ref=$1 archive
  docker image inspect "$ref" >/dev/null 2>&1 || fail "the local dockerd has no image $ref (build it first, e.g. scripts/image.sh)"
  mkdir -p "$STATE_DIR/images"
  archive=$(mktemp "$STATE_DIR/images/docker-XXXXXX.tar")
  docker save "$ref" -o "$archive"
  load_archive "$archive"
  rm -f "$archive"
  has_image "$ref" || fail "imported $ref but containerd does not list $(normalise_image_ref "$ref")"
  say "pods can run $ref (as $(normalise_image_ref "$ref"))"
}
