// Made by OpenSSH 9.2's ssh-keygen and PuTTY 0.78's puttygen on 2026-12-03; `lf` is what `ssh-keygen -lf` printed for each.
// The encrypted PPK files have the passphrase "secret".

export const fixtures = {
  "ed": {
    "text": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBjQP1Qf1gZ5d8QJKboApLUmksxAtR2XYFxVqMgiKf8G alice@laptop\n",
    "lf": "256 SHA256:LJ1dhZZTZejhybWni9zKGJHZVdfHkW80PJ0vTMqyKFc alice@laptop (ED25519)"
  },
  "rsa": {
    "text": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDS1iuYAxifj1GgOVqDzcsbtMm6IPab0jqqJbbJ2orDOa2wc/nmBywm0wPGUI8nXezfVz9l2EPElXN89TL1EXBv/czsdQvxZqKsW9KBkYRKP/JqA31/QfdNuo5hn3VUA1gyXOEuNBq/4H/U0QyGOUsTVM2Okt23Kl9anK47hBBD6SY9kNK1uEUXN0rIDiHC0G+uBVMTqkpsClqdPobV13jX+RkUQjfFES9RabY92ZhSsMFWLZoe57s+8yeOLDUifl+po9Z248oP5rR9nVkGLUUOf/mbsiSg8To0YpWGHNypvJMG0+bfMgm8PvbKN3L5ZDhXPj70p6b4N+jBSg/zV365 rsa two k\n",
    "lf": "2048 SHA256:Q4F2bWEjptNhwnnkQrg0WCO2OPBcQURfzZiD7a/j4vY rsa two k (RSA)"
  },
  "ec256": {
    "text": "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAzqg0KOOMb5GQ+oK2yPVza0ODbT3JjgpFyWPjdytENBagxRS1wyjla0Lhp8zxoXGMdRcLX9rcHn7zbfQNzJPiU= \n",
    "lf": "256 SHA256:lKOIw6vvKecYiMpow583NgDsiFd1k01zDgUIJ0LP4KI no comment (ECDSA)"
  },
  "ec384": {
    "text": "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBF4zOkLeLflSEtq2ncsaEyRxfSGhNz6qvCXWFKVYpj4PfMfWgAWSamHkboEPDC//4Jneoiju8itaoHGByuwX7egF/ndfrCl1EpJQvjwoUG/6hYkPFjToXYcqlttmuBWzPQ== ec384\n",
    "lf": "384 SHA256:y28BmvratgDy+VNTFtAhlWgYdB1mbV9POB6ZJGekKdc ec384 (ECDSA)"
  },
  "ec521": {
    "text": "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAF03xXrXQnjGacTbBF6b13BRirSTK/+w1oBvBuoe+QMuM4wFbxdV0HJR6nJy6EgaVWXEIIRlH7T9ozI61GrRNbLZQCmIFFF9qFG0AYaYVAn8phA68qON+CDkaBBHefHSruzxzGf6MNM2Oolwpjvk4T+sOb2/k01lPrR/nsYbrM8WlHs7w== ec521\n",
    "lf": "521 SHA256:8MQx0udU6Yo1KsOHDBJiaBjSLugN/A2iZcza8mXVPXY ec521 (ECDSA)"
  },
  "rsa1024": {
    "text": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDcsg81LAF+D3dIBd+i9sKFNJF8dBcG7RvFchmV6bCuZG6qsIpMDq+HSzT50Jg8pQaXONHfLsgfJNAvgZYKSdgWN2cs2s6lUGwCERbO2XxozMezfT3idrWauOhcbc9QhjPG88tMECdrFrC2eM5FeLD7FOq7nWYk1rDCEyjVfZrvPQ== root@vm\n",
    "lf": "1024 SHA256:vJvfJKTbEKiTMDAqx3kz2D+fs/Z9ilb2/n9mRd/mtrE root@vm (RSA)"
  },
  "dsa": {
    "text": "ssh-dss AAAAB3NzaC1kc3MAAAEBAPD3FOokdNs6XPCkSBnpUBNj+hW86RFBak7gKUjD3f6BPyPJ9ntHm5wEGzhPM4wANp+0eHeVuHHxfyb2ZDyAo+sKANImFwAj05/TjXjn1Ia3EFYgLTo98oTf62m2bDR0mTShBya6tBgRn9nXhfs5em4HrmsPbywuKrGsac1/Ctsf6qWuEUkHmwDtqlvKg7mw/GB6HQFKhGoByIW9M/lVpg5L2jAn0DdF4zuIsZMV8MdSY8TcwGBB5QmfJh4/15tUIOCGC0w31d48fvary9D3JH7GJ3ZZ12ofQv83n4TlTr1rPyFLdz9OI6GGCqGL/rhyK2+YiOWYYJTdZTsGAi0w90EAAAAVAOFK1tq6QYgITa3+J1I5Lur33EDXAAABAGmv71hw9fqueooS3qFOn/H2g5zA3+uQInSf26GHXl/kJP36edPUKXcwfUHGHxJ6CMJhs5+VcSXbudQKpVtI09aW1rIUaxhwCMdQOSvii9cK8XkvqqIoLqFLc2jfjCitJXoJkfr0g2eW67VtXLcVd+v3IINSC9Lpag0puIHrulScQ3yuuQ0UrVAUZsKZmEyqJUiVYSrz/f7CKoEDZ9mgFFTwOsV+ak/6dzjKBKCLqyNkJOzcjQ8mLs9rMHbDhWnzirXz0sffoCV0Y1Ad+gQQUVEmdcNTc+YqiSZ0B9cGIseWy4zgs85Te3uD37t7ZayEyURJ3nBbZvMj+RZMRGe+eioAAAEBAMjiOPb/76zWUL9nqcFeI0kg5GfV5ZEX91Yom6PtDt4BWCYdFavZukk0Yznq+zCE9IzLf1gyIP29cBUYatDsOJSfKG+BIT+jlIa3WMCEIYCNmYbSOTHtXz5Yl6/VzTCbnIHglCvCa3QdKgyPWw3P6sARxYXKQ7ksfE2AJE6vAnG2QnS/to8KJhN94iv+0P44Iot35nNu0AvoACvOY0UNRo54MyK0AvhFuPDEfJf7UP/ghx9+B4R37we/wouC2ELA78V6FLCF0ChP/NYpoidDPtAGFcTwkrfLJjaD11NNZF6wpZYspOgMTI8pGdtMyQcHMRpubx9rnEEXz3qFQyAdxgM= dsa-key-20261203\n",
    "lf": "2048 SHA256:zzUoXsq3a86AfhX8rxt4bdS0vyXRudqYWoMxtKf6D8E dsa-key-20261203 (DSA)"
  },
  "ed_rfc": {
    "text": "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"256-bit ED25519, converted by root@vm from OpenSSH\"\nAAAAC3NzaC1lZDI1NTE5AAAAIBjQP1Qf1gZ5d8QJKboApLUmksxAtR2XYFxVqMgiKf8G\n---- END SSH2 PUBLIC KEY ----\n",
    "lf": "256 SHA256:LJ1dhZZTZejhybWni9zKGJHZVdfHkW80PJ0vTMqyKFc alice@laptop (ED25519)"
  },
  "pr_rfc": {
    "text": "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"rsa-key-20261203\"\nAAAAB3NzaC1yc2EAAAADAQABAAABAQCNaNb1XmXbFGAGcr9MMrBBfkUSFTuJmkvF\nko6Nj+ZvByB9y0XjXEveqwFbV5OQVpbaAx+kM9ipbtzGLVH0YU3+GH3LQtY/+Mga\n7XI8M1r3wjvmeuu7hhFc1QQ/5ORJ8ei2T4bpMNtHLpxFm8eeEivS+24/ejGfEeE/\nVh/H3oGaCLCXMHwlOvqTtTUwIqXoymQbAvsl534R52OVXAlKLDDrevL0jjzinxP/\nck1/BtJCmuRHe++Q0zqqVkKHHSRkm5HNqM2iLbp5EwW4hwuwSlvSGra3b39SOQfA\nOHiyy6JOLEmOBO04b+z/pRAfJ6eCnW+5e+nRBA6mv73eGCyaugXH\n---- END SSH2 PUBLIC KEY ----\n",
    "lf": "2048 SHA256:IWkXBncib5WmhpZGCExNDQYyNzZiT2oECTXYjzy0G0w no comment (RSA)"
  },
  "pr_ppk3": {
    "text": "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: aes256-cbc\nComment: rsa-key-20261203\nPublic-Lines: 6\nAAAAB3NzaC1yc2EAAAADAQABAAABAQCNaNb1XmXbFGAGcr9MMrBBfkUSFTuJmkvF\nko6Nj+ZvByB9y0XjXEveqwFbV5OQVpbaAx+kM9ipbtzGLVH0YU3+GH3LQtY/+Mga\n7XI8M1r3wjvmeuu7hhFc1QQ/5ORJ8ei2T4bpMNtHLpxFm8eeEivS+24/ejGfEeE/\nVh/H3oGaCLCXMHwlOvqTtTUwIqXoymQbAvsl534R52OVXAlKLDDrevL0jjzinxP/\nck1/BtJCmuRHe++Q0zqqVkKHHSRkm5HNqM2iLbp5EwW4hwuwSlvSGra3b39SOQfA\nOHiyy6JOLEmOBO04b+z/pRAfJ6eCnW+5e+nRBA6mv73eGCyaugXH\nKey-Derivation: Argon2id\nArgon2-Memory: 8192\nArgon2-Passes: 8\nArgon2-Parallelism: 1\nArgon2-Salt: 9d7b872ff09c32a4eefa6a5430ebfebc\nPrivate-Lines: 14\nV+ubla5NSLSGEdRKKXPbgkazvFUZ4JSwy3lgTRJk0xoOhBIZadBRbZQ6CJiaCUJH\nkTx5DB5Chu7yokTkWDIhJvg9aQgJQ02dDzWlOmrb98ltWV/puRtQdPxQBWFS1GOG\npehXwS6eemVmBg9+hQMliio3fOnKrjKFEH9I1FgVW/PqkmiLdWgF1dpJmcTswgCa\n9pURb482zlJMHG6Nj53Y9ci6f1b3TS9r/6pQjuDpCGNuBDN4HqGrhDBpZFbCkh3c\nnI3Gui2fcgtnEdNIcKd2Biv52AmyAb1EsSn3d+BE8uXI1m6XdtHXkxBVL4gfN4Yq\nyj63WZbI0bClV19P06onyr/95YIey64St7kEpNX61/zgJiMOe91GMG5E00nsAuYZ\n8zEnNappChee65urQOBt+oyDKkH1X7DXg8kq8+RWe+b0MqVlzaHKwgyayBN2dEO9\nPSefzkgPcgWhW9rdN5aYkdvRS6qTNSJErnvoNOiFu60jq1JI6a5ZBRwe0YKBPMIM\nzNQbjJvz5VcCuIYtRWGOCZ6plI+Ej2yWli0nIsuerteDhvzYtojwVgxvyP2eSJlf\ntGGd8O29mf5mi97YCpq8I2HcYx16ZJg7IoU9ufuBJ9VD8ikGHZ3y7+K9SVrfDO+Y\n9gm4XOfAsuPKD2fe2HK0NgC4Wpb0ZRL0ZTZHTEUjcE049rMG7M0s9FwnjkVm3Ehr\n66zq8m0Ejd1vxY2aJ+1CDCWNh+5aHHF+xQlEahujdRiyjzKDTbH9+9QMj5Uhu6o2\nMicmZcwD0Lf5cxQGH150IeJrKC1KbETfkZUPg/3biS9iB7VkkY+DC/6Fi2b5h2Yg\nohqYFweNDtcs7UHaPX1caKpsz8kvBRaewOS4wEKDjc94MJdzxky2cqwEaZDKfRdq\nPrivate-MAC: 84b7ee972fd7fe95db4445fceee332a3f35650acaf908bbc7208bfdfc69cfe3b\n",
    "lf": "2048 SHA256:IWkXBncib5WmhpZGCExNDQYyNzZiT2oECTXYjzy0G0w no comment (RSA)"
  },
  "pv2_ppk": {
    "text": "PuTTY-User-Key-File-2: ecdsa-sha2-nistp384\nEncryption: aes256-cbc\nComment: ecdsa-key-20261203\nPublic-Lines: 3\nAAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBP87NbjIRMYB\nprbNaRG9qAh5Ryia4tD3DolI1a6uVGC2zQy92gPGEXyycw7x3zlGkAQDzO9UUVPt\nlfSguK3nu4PyL5/xFSHmq/bbqeSvY7VpqjAHcBOviP+uxFFiRnIegw==\nPrivate-Lines: 2\np3HBzxQG+YtbcBue4Ph8o1Z7pqV8C8m9whshS0scmVlpzq5P3IovpM+ZsLNYaoF7\nKa8R3UGqk/6J+xAnQQ3+yA==\nPrivate-MAC: 1cbdb93d9b4344ecde953ed365aac1b4cd9fc634\n",
    "lf": "384 SHA256:sYToS64GoYfpgVaF1DrGppq3N3oyESVy6AbzD+1f06o ecdsa-key-20261203 (ECDSA)"
  }
} as const;
