#!/usr/bin/perl
# maildkim_peer.pl - Mail::DKIM (libmail-dkim-perl) as an interop peer.
#
#   maildkim_peer.pl verify RECORDS MSG          prints the result, exit 0 on pass
#   maildkim_peer.pl sign KEY SEL DOMAIN CANON MSG   signed message on stdout
#
# A resolver object answers TXT queries from RECORDS ("<name> <value>"
# lines) through Mail::DKIM::DNS::resolver, so no DNS server is involved.
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Mail::DKIM::Signer;
use Mail::DKIM::DNS;
use Net::DNS;

package FileResolver;
sub new { my ($c, $r) = @_; return bless { r => $r, err => 'NOERROR' }, $c }
sub errorstring { return $_[0]{err} }
sub send {
    my ($self, $name, $type) = @_;
    my $p = Net::DNS::Packet->new($name, $type);
    my $v = $self->{r}{ lc $name };
    if (defined $v) {
        my @s = ($v =~ /(.{1,255})/gs);
        $p->push(answer => Net::DNS::RR->new(name => $name, type => 'TXT', ttl => 300,
            txtdata => [@s]));
    } else {
        $p->header->rcode('NXDOMAIN');
    }
    return $p;
}

package main;

sub slurp_crlf {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or die "$path: $!";
    local $/;
    my $d = <$fh>;
    $d =~ s/\r?\n/\r\n/g;
    return $d;
}

my $mode = shift @ARGV;
if ($mode eq 'verify') {
    my ($recfile, $msg) = @ARGV;
    my %r;
    open(my $fh, '<', $recfile) or die;
    while (<$fh>) { chomp; my ($n, $v) = split / /, $_, 2; $r{ lc $n } = $v; }
    Mail::DKIM::DNS::resolver(FileResolver->new(\%r));
    my $dkim = Mail::DKIM::Verifier->new();
    $dkim->PRINT(slurp_crlf($msg));
    $dkim->CLOSE();
    print $dkim->result, "\n";
    exit($dkim->result eq 'pass' ? 0 : 1);
}
my ($key, $sel, $domain, $canon, $msg) = @ARGV;
my $signer = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256', Method => $canon,
    Domain => $domain, Selector => $sel, KeyFile => $key,
    Headers => 'from:to:subject:date');
my $data = slurp_crlf($msg);
$signer->PRINT($data);
$signer->CLOSE();
print $signer->signature->as_string, "\r\n", $data;
exit 0;
