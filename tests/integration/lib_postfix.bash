# tests/integration/lib_postfix.bash - a private Postfix instance under a
# temp dir for the *_postfix.sh integration tests (named .bash so ctest does
# not run it).  Needs root (the master daemon) and Debian's postfix and
# sasl2-bin.
#
#   pf_layout DIR PORT           DIR/etc (master.cf: every service
#                                unchrooted, smtpd on 127.0.0.1:PORT),
#                                DIR/spool, DIR/data
#   pf_main DIR HOSTNAME <<EOF   DIR/etc/main.cf: loopback only, IPv4,
#                                queue and log under DIR, no local
#                                delivery or aliases, then the lines read
#                                from standard input
#   pf_sasl DIR REALM USER PASS  a private sasldb with USER, and the
#                                smtpd.conf that points Cyrus SASL at it
#   pf_start DIR                 postfix check + start (exits 1 with the
#                                log on failure)
#   pf_stop DIR                  stop it (for the cleanup trap)
[ "${BASH_SOURCE[0]}" = "$0" ] && exit 77

pf_layout() {
  local d=$1 port=$2
  mkdir -p "$d/etc/sasl" "$d/spool" "$d/data" "$d/sasl"
  chown postfix "$d/data"
  cp /etc/postfix/master.cf "$d/etc/master.cf" 2>/dev/null ||
    cp /usr/share/postfix/master.cf.dist "$d/etc/master.cf"
  awk -v port="$port" '
    /^[a-z]/ && NF >= 8 { if ($5 == "y" || $5 == "-") $5 = "n"; if ($1 == "smtp" && $2 == "inet") $1 = "127.0.0.1:" port }
    { print }' "$d/etc/master.cf" >"$d/etc/master.cf.new" && mv "$d/etc/master.cf.new" "$d/etc/master.cf"
}

pf_main() {
  local d=$1 host=$2
  {
    cat <<CONF
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = $host
mydomain = ${host#*.}
mydestination =
alias_maps =
alias_database =
maillog_file = $d/maillog
maillog_file_prefixes = $d
CONF
    cat
  } >"$d/etc/main.cf"
}

# Debian's Postfix reads smtpd.conf from <config_directory>/sasl/ (seen with
# strace: it ignores cyrus_sasl_config_path, and without the file the sasldb
# plugin opens /etc/sasldb2 and fails with "Permission denied").
pf_sasl() {
  local d=$1 realm=$2 user=$3 pass=$4
  echo "$pass" | saslpasswd2 -p -c -f "$d/sasl/sasldb2" -u "$realm" "$user"
  chown postfix "$d/sasl/sasldb2"
  chmod 600 "$d/sasl/sasldb2"
  cat >"$d/etc/sasl/smtpd.conf" <<CONF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $d/sasl/sasldb2
mech_list: PLAIN LOGIN
CONF
}

pf_start() {
  local d=$1
  postfix -c "$d/etc" check 2>"$d/check.log" || { cat "$d/check.log"; exit 1; }
  postfix -c "$d/etc" start 2>"$d/start.log" || { cat "$d/start.log"; exit 1; }
}

pf_stop() {
  postfix -c "$1/etc" stop >/dev/null 2>&1
}
