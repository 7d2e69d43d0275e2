"""Sentence pools for `advertises_cashout` passages, written by us.

One option per line. `[a|b]` picks one alternative, `{slot}` takes a filler from slots.py, and a
line that starts with `kinds||` carries its own claim kinds instead of the pool's default.
"""

AD_OPEN = """\
【长期有效】
{city}本地，诚信第一，老客户都知道
不是骗子，做了[五|六|七|八]年了，口碑在群里问
急用钱的朋友看过来
有需要的私，没需要的勿扰
📢📢📢 {city}的朋友注意了
家里老人医保卡[用不完|一直没用|攒了好几年]的看过来
本人{city}，专业做这一块，[安全|稳妥]不留记录
群里有需要的兄弟姐妹[看一下|了解一下]
同城面交，也可以邮寄，[全国|全省]都能做
🔥🔥[放心|靠谱]渠道，[长期|天天]在线
不懂的可以先问，[问不要钱|咨询免费]
你手里那张卡里的钱，放着也是放着
[兼职|宝妈|退休人员]也能做，[简单|轻松]来钱
做熟人生意，[介绍一个|带人来]有红包
"""

AD_CARD_CORE = """\
card_lending,personal_account_cash||[长期|大量|高价]回收医保卡，[职工|居民]卡都要，余额[越多越好|多少都收]
card_lending,personal_account_cash||收医保卡余额，按余额{pct}%给现金
personal_account_cash||医保卡里的钱可以帮你[提出来|取出来|弄出来]，[当天|秒|半小时]到账
personal_account_cash,fake_transaction_cashout||医保卡套现，[余额|个账]变现金，[{disc}|比例{pct}%]
card_lending,personal_account_cash||[专业|诚信]收购社保卡、医保卡，[余额|个人账户]直接换钱
personal_account_cash||[代办|帮办]医保个人账户提现，不用本人[到场|跑腿]
card_lending||收[老人|退休]医保卡，[借用|租用]一个月给{amount}元
personal_account_cash,fake_transaction_cashout||医保余额变现，[{disc}|{pct}个点]当场结清
card_lending,personal_account_cash||收电子医保码，[扫一下|授权一次]就给钱，余额{pct}%返你
personal_account_cash||医保卡取现[找我|就找我们]，[手续简单|不用排队]，[全程|一条龙]代办
card_lending||[收|求购]医保卡，[带密码|不用密码也行]，[价格好说|价格美丽]
personal_account_cash,fake_transaction_cashout||卡里有{amount}以上的，[直接|当场]给你{disc}现金
card_lending,personal_account_cash||[医.保.卡|医 保 卡|医-保-卡]回收，余额[高价|{disc}]收
personal_account_cash,fake_transaction_cashout||yibao[套现|taoxian]，[秒|当天]到，[{disc}|{pct}%]
card_lending,personal_account_cash||[衣保|医宝|一保]卡[回收|收购]，[余额|账户]多少都要
personal_account_cash,fake_transaction_cashout||医💰保💰卡💰[套|取]💰现，安全快捷
card_lending,personal_account_cash||收醫保卡，[餘額|個人賬戶]直接換現金
personal_account_cash,fake_transaction_cashout||[医保|医.保]余额[帮你|可]T现，[秒到|当天到]，比例{pct}
card_lending||[长期|常年]租医保卡，[一个月|一季度]{amount}，[不影响|不耽误]你看病
personal_account_cash||医保个账里的钱[全部|都能]给你[弄出来|取出来]，[不管|无论]什么卡
"""

AD_SHOP_CORE = """\
fake_transaction_cashout||本店可刷医保卡[买|换]{goods}，[另有|还有]现金[返还|回馈]
fake_transaction_cashout||[医保卡|社保卡]可以直接刷，[换|拿]{goods}，[不限量|随便挑]
fake_transaction_cashout,non_medical_use||刷医保卡[换购物卡|换超市卡]，[面值|按余额]{disc}
fake_transaction_cashout||{city}[某|本]药房，医保卡刷药[直接|当场]换现金，[{disc}|{pct}%]
fake_transaction_cashout,non_medical_use||医保卡余额[可以|能]买{goods}，[刷卡|扫码]就行，小票开药品
fake_transaction_cashout||[刷|扫]医保[码|卡]换[现金|红包]，[票据|单子]我们[处理|来开]
fake_transaction_cashout,non_medical_use||医保[卡|个账][能|可]刷化妆品、[护肤品|面膜]，[店里|柜台]有[专人|人]操作
fake_transaction_cashout||[本店|门店]医保[刷卡|结算][返现|返{pct}%现金]，[老顾客|熟客]更优惠
fake_transaction_cashout,non_medical_use||[医保卡|医保码]刷[米面油|粮油]，[一桶油|一袋米]当药开
fake_transaction_cashout||刷卡不买药，[直接|当面]拿现金，[按|比例]{pct}%
fake_transaction_cashout||[醫保卡|醫保]刷卡換現金，[當天|即時]到手
fake_transaction_cashout,non_medical_use||[医保卡|医保]可以刷{goods}[和|跟]保健品，[店内|本店]全部可刷
fake_transaction_cashout||[药|藥]店合作，[刷|扫][医.保|医 保][换|換]现，[不走|不留]记录
"""

AD_DRUG_CORE = """\
drug_resale||[高价|长期]回收医保药、[回流药|各种处方药]，{drug}[优先|价格最高]
drug_resale||收药：{drug}、{drug}，[要|有]医保[开的|买的]都收
drug_resale||医保开的药[吃不完|用不完]的，[拿来|可以]换钱，[上门|同城]收
drug_resale||[回收|收购]医保[药品|处方药]，[按|给]药价{disc}，[现结|现金结算]
drug_resale,card_lending||[借|用]你的医保卡开药，药归我，[给你|一次]{amount}[元|块]
drug_resale||[专业|常年]收[回流药|医保药]，[胰岛素|靶向药]高价
drug_resale||[回收|收][医保|醫保]藥，[价格|價格][公道|高]，[当面|當面]交易
drug_resale||[家里|屋里]老人[多开的|没吃的]药别[扔|浪费]，{drug}[收|要]
drug_resale||[huishou|回收|回shou]医保药，{drug}[一盒|每盒]给[现金|红包]
drug_resale,card_lending||[招|找][有|持]医保卡的[人|老人]去医院[开药|拿药]，[药我收|我们包收]，[每次|一趟]给{amount}
"""

AD_RECRUIT_CORE = """\
card_lending||招[兼职|临时工]：[拿|带]医保卡[跑腿|开药]，[日结|当天结]{amount}
card_lending,personal_account_cash||[找|求]医保卡[合作|出租]，[余额|个账]我[来|帮你]处理，[{pct}%|{disc}]给你
card_lending||[收|租]医保卡[做|跑]业务，[不用|无需]本人[到场|出面]，[月结|现结]
card_lending,drug_resale||[招募|寻]退休人员，[用|拿]医保卡[去|到]药店开药，[每单|每次]{fee}%提成
card_lending||[出租|出借]医保卡[一个月|每月]{amount}，[有意|需要]联系
card_lending||医保电子凭证[授权|借给]我们[用|使用]一下，[每月|一次]给你{amount}
"""

AD_TERMS = """\
[秒到账|当天到账|十分钟到账]，[不压款|不拖欠]
手续费{fee}个点，[比别家低|全网最低]
比例{pct}%，[大额|金额大]另谈
[{disc}|{pct}%]回收，[童叟无欺|绝不压价]
[全国|全省|{city}]都能做，[线上|远程]操作
[不用|无需]本人[到场|去银行]，[一部手机|身份证]搞定
[安全|稳]不封卡，[已做|做过][上千|几百]单
[先到账后操作|先给钱再办]，[放心|安心]
[下单|联系]即办，[24小时|全天]在线
[有卡就行|老人卡也收]，[余额|额度]不限
[价格|点数]透明，[不满意|不合适]不做
[每单|当日]结算，[绝不|从不]拖延
"""

AD_CONTACT = """\
{handle}
[有意|需要][者|的]联系：{handle}
[详情|具体]{handle}
联系我：{handle}，[备注|注明]医保
{handle}（[24小时|全天]在线）
[加|找]我：{handle}
"""

AD_SHORT = """\
card_lending,personal_account_cash||收yibao卡，V：{handle}
personal_account_cash,fake_transaction_cashout||医.保.套.现 {disc} {handle}
drug_resale||收药 收药 收药，{drug}，{handle}
personal_account_cash||医保T现🔥[秒|速]到🔥{handle}
card_lending,personal_account_cash||醫保卡回收 {handle}
fake_transaction_cashout||刷卡换米面油，[速来|快来]，{handle}
personal_account_cash||[yibao|医宝]余额[提|取]现，[私|私信]我
card_lending||[租|收]卡，[日结|月结]，{handle}
drug_resale||[回流药|医保药]长期收，{handle}
personal_account_cash,fake_transaction_cashout||[医保卡|医堡卡]余额变现 {pct}% {handle}
"""

AD_HANT_CORE = """\
card_lending,personal_account_cash||[長期|高價]收購醫保卡，[餘額|個人賬戶]按{pct}%[給|付]現金
personal_account_cash,fake_transaction_cashout||醫保卡套現，[當天|即日]到賬，[手續費|服務費]{fee}個點
drug_resale||回收醫保藥、回流藥，{drug}[價格|價錢]最高，[同城|上門]收
fake_transaction_cashout||[本店|藥房]可刷醫保卡[換|買]日用品、米麵油，另有現金[回饋|返還]
card_lending||[出租|長租]醫保卡，[每月|一個月]{amount}元，[不影響|不耽誤][看病|就醫]
personal_account_cash||醫保[個人賬戶|餘額][可以|能]幫你[提出來|取出來]，[{city_hant}|全國]都能辦
card_lending,personal_account_cash||[誠信|專業]收[老人|退休]醫保卡，[帶密碼|有密碼]優先，[價格|價錢][好談|面議]
personal_account_cash,fake_transaction_cashout||醫保餘額[變現|換現金]，[比例|點數]{pct}%，[秒到|當天到]，[不用|無需]本人[到場|出面]
drug_resale||[長期|常年]收[藥|藥品]：{drug}、胰島素、[降壓藥|降糖藥]，[醫保開的|醫保買的]都要
fake_transaction_cashout,non_medical_use||醫保卡[可以|能]刷[化妝品|保健品|購物卡]，[店內|門市][全部|都][可刷|能刷]，[現金|紅包]另返
card_lending||[招|找][有|持]醫保卡的[長者|老人家][幫忙|去]開藥，[每次|一趟][給|付]{amount}元[車馬費|辛苦費]
personal_account_cash||[代辦|幫辦]醫保個賬提現，[{city_hant}|同城][面交|當面交易]，[安全|穩妥][不留|無]記錄
drug_resale||[回收|收購][醫保藥|處方藥][現金|即時]結算，[上門|到府]收貨，[價格|價錢]{disc}
card_lending,personal_account_cash||醫保電子憑證[授權|借]我們[用一下|使用]，餘額{pct}%[返你|給你]
"""

AD_HANT_CONTACT = """\
[聯繫|聯絡]：{handle}
[有需要|需要的][請|就][私訊|私信]，{handle}
[詳情|詳細]{handle}
"""
