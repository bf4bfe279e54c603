header = base64.b64encode(b"AC310f04040699f0c60d9df89af707b1de:d2d129fbc23acf74d12a2b6a51daa1ff").decode()
