# -*- coding: latin-1 -*-
# Auteur: François
print('ok')
