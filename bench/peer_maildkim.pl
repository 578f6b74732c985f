#!/usr/bin/perl
# peer_maildkim.pl RECORDS MESSAGE SECONDS - Mail::DKIM verifications per CPU
# second on one message; keys answered from "<name> <TXT>" lines by a
# resolver object (Mail::DKIM::DNS::resolver).  Prints "<rate>".
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

package FileResolver;
sub new { my ($c, $r) = @_; return bless { r => $r }, $c }
sub errorstring { return 'NOERROR' }
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
my ($recfile, $msgfile, $secs) = @ARGV;
my %r;
open(my $fh, '<', $recfile) or die;
while (<$fh>) { chomp; my ($n, $v) = split / /, $_, 2; $r{ lc $n } = $v; }
Mail::DKIM::DNS::resolver(FileResolver->new(\%r));
open(my $mf, '<:raw', $msgfile) or die;
my $msg = do { local $/; <$mf> };
my ($n, $t0) = (0, (times)[0] + (times)[1]);
my $t;
while (1) {
    my $d = Mail::DKIM::Verifier->new();
    $d->PRINT($msg);
    $d->CLOSE();
    exit 1 unless $d->result eq 'pass';
    $n++;
    $t = (times)[0] + (times)[1] - $t0;
    last if $t >= $secs;
}
printf "%.1f\n", $n / $t;
