import Chorus
print(ABIVersion.current)
