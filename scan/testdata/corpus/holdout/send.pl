my $account_sid = 'AC1f4aefbb6e04f47729fa283962c00eed';
my $auth_token = '093467e1c2e26c2deb2b6b8a65b8915a';
