auth_token = '12345'
url = 'https://mycompany.com/myapp.php?foo=1&bar=2'
