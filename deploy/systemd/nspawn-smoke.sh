#!/usr/bin/env bash
# Boots systemd in a throw-away systemd-nspawn container (the host's /usr, a tmpfs root) and runs
# deploy/systemd/gax.service in it, unchanged, against this checkout: the hardening, DynamicUser,
# StateDirectory, EnvironmentFile, LoadCredential and ExecReload for real. Needs root, systemd-container and a
# built checkout (npm run build). Elasticsearch and Datadog point at 127.0.0.1:1 (refused): their
# plugins start (the credentials are read) and retry; nothing leaves the machine.
#
#   sudo deploy/systemd/nspawn-smoke.sh          # exit 0 when every check passed
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/gax-nspawn-XXXXXX)"
trap 'rm -rf "$work"' EXIT
port=19464
mkdir -p "$work"/{gax/credentials,logs,out,wants}

sed -e "s#https://elasticsearch.example.internal:9200#http://127.0.0.1:1#" \
    -e "s#site: datadoghq.com#url: http://127.0.0.1:1#" -e "s#port: 9464#port: $port#" \
    "$repo/deploy/systemd/config.yaml" > "$work/gax/config.yaml"
install -m 0600 /dev/null "$work/gax/gax.env" && echo 'ES_API_KEY=dGVzdDp0ZXN0' > "$work/gax/gax.env"
install -m 0600 /dev/null "$work/gax/credentials/datadog-api-key" && echo 'test-key' > "$work/gax/credentials/datadog-api-key"
install -m 0644 "$repo/examples/apim_metrics.log" "$work/logs/apim_metrics.log"

cat > "$work/probe.sh" <<EOF
#!/bin/sh
# Wait (60 s at most) until gax is ready: a busy machine starts it slowly.
for _ in \$(seq 60); do
  node -e 'fetch("http://127.0.0.1:$port/readyz").then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' && break
  sleep 1
done
node -e 'for (const p of ["/healthz", "/readyz", "/metrics"]) fetch("http://127.0.0.1:$port" + p).then(
  async (r) => console.log(p, r.status, p === "/metrics" ? (await r.text()).match(/^gax_lines_read_total.*/gm).join(" ") : (await r.text()).trim()),
  (e) => console.log(p, "ERR", e.message))' > /out/probe.txt 2>&1
cat /proc/\$(systemctl show gax -p MainPID --value)/status > /out/proc.txt
systemctl show gax -p ActiveState -p NRestarts -p MainPID > /out/running.txt
systemctl reload gax; sleep 3
systemctl show gax -p ActiveState -p NRestarts -p MainPID > /out/reloaded.txt
systemctl stop gax
systemctl show gax -p ExecMainCode -p ExecMainStatus > /out/stopped.txt
ls /var/lib/private/gax > /out/state.txt
journalctl -u gax --no-pager -o cat > /out/journal.txt
systemctl poweroff
EOF
chmod 0755 "$work/probe.sh"
cat > "$work/probe.service" <<'EOF'
[Unit]
After=gax.service
[Service]
Type=oneshot
ExecStart=/probe/probe.sh
EOF
ln -s /etc/systemd/system/gax.service "$work/wants/gax.service"
ln -s /etc/systemd/system/probe.service "$work/wants/probe.service"

# nspawn cleans up below /run/systemd/nspawn and insists that it is a tmpfs.
if ! mountpoint -q /run/systemd/nspawn; then
  mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn
fi
timeout 180 systemd-nspawn --register=no --keep-unit --directory=/ --volatile=yes --boot --console=pipe \
  --bind-ro="$repo:/opt/gax" --bind-ro="$work/gax:/etc/gax" \
  --bind-ro="$work/logs:/opt/wso2am/repository/logs" --bind="$work/out:/out" --bind-ro="$work:/probe" \
  --bind-ro="$repo/deploy/systemd/gax.service:/etc/systemd/system/gax.service" \
  --bind-ro="$work/probe.service:/etc/systemd/system/probe.service" \
  --bind-ro="$work/wants:/etc/systemd/system/multi-user.target.wants" > "$work/nspawn.log" 2>&1

cat "$work"/out/{probe,running,reloaded,stopped,state}.txt
grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs|Seccomp):' "$work/out/proc.txt"
fail=0
check() { if grep -qE "$2" "$work/out/$1"; then echo "ok   $3"; else echo "FAIL $3"; fail=1; fi; }
check probe.txt '^/healthz 200' '/healthz answers 200'
check probe.txt '^/readyz 200' '/readyz answers 200 (plugins started, credentials read)'
check probe.txt 'gax_lines_read_total\{plugin="prometheus"\} [1-9]' 'the log is read'
check running.txt '^NRestarts=0' 'no restart'
if cmp -s "$work/out/running.txt" "$work/out/reloaded.txt"; then
  echo "ok   systemctl reload: same process, still active"
else
  echo "FAIL systemctl reload: the process changed or stopped"; fail=1
fi
check journal.txt 'Configuration reloaded\.' 'systemctl reload applies the config'
check proc.txt '^CapEff:\s+0+$' 'no capabilities'
check proc.txt '^NoNewPrivs:\s+1' 'NoNewPrivileges'
check proc.txt '^Seccomp:\s+2' 'a system call filter'
check stopped.txt '^ExecMainStatus=0' 'systemctl stop: exit 0'
check journal.txt 'Daemon stopped' 'graceful stop (flush, checkpoint)'
check state.txt '^checkpoint.json' 'checkpoint in StateDirectory'
exit "$fail"
