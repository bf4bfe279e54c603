#!/usr/bin/perl
use strict;
use warnings;
use LWP::UserAgent;
use HTTP::Request::Common qw(POST);

my $ua = LWP::UserAgent->new;
my $req = POST "https://api.twilio.com/2010-04-01/Accounts/AC47252fd3620179741edb07f00b3e5739/Messages.json",
  [ From => '+15017122661', To => $ARGV[0], Body => $ARGV[1] ];
$req->authorization_basic('AC47252fd3620179741edb07f00b3e5739', '537c8bc3ce525d210ef56fda5e3eeb37');
print $ua->request($req)->as_string;
