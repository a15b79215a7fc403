//! How well `check-utterance` judges realistic agent sentences.
//!
//! Each sentence was written for this test as an agent at a bank hotline
//! would say it, and labelled by hand with the rule it breaks (or none),
//! given whether the customer's identity was verified and who is calling.
//! Many are look-alikes of a violation: the same words about balances, card
//! numbers or transfers, but without a datum from the customer's account, or
//! after 服务确权, or refusing instead of disclosing.
//!
//! Thresholds: a false positive books penalty points against an agent who
//! did nothing wrong and teaches agents to ignore the checker, so it must be
//! rare: at most 5 % of innocent sentences. A false negative is a breach the
//! checker missed; supervisors' call sampling (监督与管理) still catches some
//! of those, so up to 10 % is tolerated. The figures are printed with
//! `cargo test -p sopline-plugin-bank --test utterances -- --nocapture`.

use sopline_plugin_bank::Bank;
use sopline_sdk::testing::{Harness, contact};

/// Who is on the line.
#[derive(Clone, Copy)]
enum Caller {
    /// Not verified yet.
    Unverified,
    /// The customer, identity verified (服务确权 done).
    Verified,
    /// Someone else: a relative or a proxy (field `caller_relation`).
    ThirdParty,
}
use Caller::*;

/// (expected rule or "", caller, the agent's sentence)
const CASES: &[(&str, Caller, &str)] = &[
    // 服务确权: account information before identity is verified.
    ("BANK-ID-1", Unverified, "您的余额不足以支付本期信用卡账单。"),
    ("BANK-ID-1", Unverified, "王先生,您账户里目前还有3,280.50元。"),
    ("BANK-ID-1", Unverified, "您卡号是6222021234567890123对吧?"),
    ("BANK-ID-1", Unverified, "您尾号1234的储蓄卡今天下午有一笔消费。"),
    ("BANK-ID-1", Unverified, "系统显示您这张卡6222****1234已经挂失了。"),
    ("BANK-ID-1", Unverified, "您3月1日有一笔5000元的转账还没到账。"),
    ("BANK-ID-1", Unverified, "您的信用卡本期账单金额为3560元,最低还款356元。"),
    ("BANK-ID-1", Unverified, "您昨天晚上在超市刷卡消费了268元。"),
    ("BANK-ID-1", Unverified, "您的账户已经被冻结了,需要到柜台处理。"),
    ("BANK-ID-1", Unverified, "余额只剩两百多块了,建议您先别转账。"),
    ("BANK-ID-1", Unverified, "您2月27日14:32那笔扣款是水电费代扣。"),
    ("BANK-ID-1", Unverified, "您的可用额度还有2万元。"),
    ("BANK-ID-1", Unverified, "这张卡 6222 0212 3456 7890 是您的工资卡吗?"),
    ("BANK-ID-1", Unverified, "您上周五有一笔跨行汇款退回来了。"),
    ("BANK-ID-1", Unverified, "您的余额是0元,所以扣款失败了。"),
    ("BANK-ID-1", Unverified, "查到您有一笔1,200元的退款已经入账。"),
    ("BANK-ID-1", Unverified, "您的工资今天上午已经入账了。"),
    ("BANK-ID-1", Unverified, "您的定期存款5万元已经到期了。"),
    ("BANK-ID-1", Unverified, "这笔交易的商户名称显示是某某超市。"),
    ("BANK-ID-1", Unverified, "您在3月5日申请的信用卡已经审批通过了。"),
    // The same sentences after 服务确权 are the service the customer asked for.
    ("", Verified, "您的余额不足以支付本期信用卡账单。"),
    ("", Verified, "王先生,您账户里目前还有3,280.50元。"),
    ("", Verified, "您3月1日有一笔5000元的转账还没到账。"),
    ("", Verified, "您尾号1234的储蓄卡今天下午有一笔消费,金额268元。"),
    ("", Verified, "您的卡6222****1234目前状态正常。"),
    ("", Verified, "您的账户已经被冻结了,需要到柜台处理。"),
    // Talking about balances, cards and transfers without disclosing anything.
    ("", Unverified, "请问您需要查询余额吗?"),
    ("", Unverified, "余额查询可以通过手机银行或者拨打我行热线办理。"),
    ("", Unverified, "如果余额不足,自动还款会失败,请您提前存入。"),
    ("", Unverified, "跨行转账每笔收取2元手续费。"),
    ("", Unverified, "单笔转账限额是5万元,超过需要到柜台办理。"),
    ("", Unverified, "请问您最近一笔交易是什么时候?"),
    ("", Unverified, "转账一般2小时内到账,请您耐心等待。"),
    ("", Unverified, "为了核实身份,请您提供卡号后四位。"),
    ("", Unverified, "请您报一下预留的手机号码。"),
    ("", Unverified, "我行客服热线是95555,24小时都可以拨打。"),
    ("", Unverified, "您的投诉受理编号是2026030200012345,请您记好。"),
    ("", Unverified, "信用卡年费是200元,刷卡满6次可以免年费。"),
    ("", Unverified, "余额宝不是我行的产品,具体请咨询支付宝客服。"),
    ("", Unverified, "请问您是要办理转账还是查询交易明细?"),
    ("", Unverified, "存款利率目前是年化1.5%。"),
    ("", Unverified, "账户冻结的原因需要核实身份后才能告诉您。"),
    ("", Unverified, "如果卡丢了,请您马上打电话挂失。"),
    ("", Unverified, "大额存单20万元起存。"),
    ("", Unverified, "请问您卡里大概有多少钱?我们需要核对一下。"),
    ("", Unverified, "您这张卡的卡号我这边看不到,需要您提供一下。"),
    ("", Unverified, "您的银行卡尾号是多少?"),
    ("", Unverified, "您好,请问是王小明先生本人吗?"),
    ("", Unverified, "请您输入查询密码后,语音系统会播报余额。"),
    ("", Unverified, "交易明细可以在手机银行里按日期查询。"),
    ("", Unverified, "请问您是要查询3月份的交易明细吗?"),
    ("", Unverified, "请您按语音提示输入身份证号码和查询密码。"),
    // Privacy: a caller who is not the account holder, other people's data.
    ("BANK-PRIV-1", ThirdParty, "您母亲的账户余额还有8000元。"),
    ("BANK-PRIV-1", ThirdParty, "您爱人的卡上还有1.2万元,昨天取了2000元。"),
    ("", ThirdParty, "抱歉,账户信息只能告诉账户本人,请让您母亲本人来电。"),
    ("BANK-PRIV-1", Unverified, "我把他的电话给你,你们自己联系吧。"),
    ("BANK-PRIV-1", Verified, "收款人的手机号是13912345678,您可以直接打给他。"),
    ("BANK-PRIV-1", Verified, "他的地址在解放路88号。"),
    ("", Unverified, "抱歉,我们不能透露他人的账户信息。"),
    ("", Verified, "请问收款人的账户是您本人的吗?"),
    ("", Verified, "对方的账户里有多少钱我们是查不到的。"),
    ("", Verified, "他的问题我们已经登记,会尽快处理。"),
    // Exaggerated promises.
    ("BANK-PROMISE-1", Verified, "您放心,我保证钱能全部追回来。"),
    ("BANK-PROMISE-1", Unverified, "这个理财产品稳赚不赔,您放心买。"),
    ("BANK-PROMISE-1", Verified, "这笔钱一定能追回,您不用担心。"),
    ("BANK-PROMISE-1", Verified, "百分之百今天到账。"),
    ("BANK-PROMISE-1", Unverified, "这款产品保本保息,零风险。"),
    ("", Verified, "我们无法保证资金能够追回,但会尽全力协助您。"),
    ("", Verified, "存入保证金后额度就会恢复。"),
    ("", Verified, "我们会按规定流程尽快为您核实处理。"),
    ("", Unverified, "理财产品有风险,投资需谨慎。"),
    // Arguing, pressuring in the name of an authority.
    ("BANK-ARGUE-1", Verified, "这是你自己操作失误,跟银行没关系。"),
    ("BANK-ARGUE-1", Unverified, "你再闹我就报警了。"),
    ("BANK-ARGUE-1", Unverified, "你去投诉好了,投诉也没用。"),
    ("BANK-ARGUE-1", Unverified, "银保监会也管不了这个事。"),
    ("", Verified, "如果您的卡被盗刷,建议您第一时间报警。"),
    ("", Unverified, "您说得对,可能是我没有解释清楚。"),
    ("", Unverified, "您也可以通过金融监管部门的投诉渠道反映。"),
    // The norms every manual shares, under bank ids.
    ("BANK-FIRST-1", Unverified, "这不归我管,你去找别人吧。"),
    ("BANK-RUDE-1", Unverified, "你听不懂吗?我都解释三遍了。"),
    ("BANK-VAGUE-1", Verified, "大概三天左右吧。"),
    ("", Verified, "预计3个工作日内给您答复。"),
    ("", Unverified, "这个问题由我负责跟进到底。"),
];

/// Written after the detectors were tuned on [`CASES`] and run once
/// without changes: an honest estimate of how the checker does on sentences
/// it was not shaped by.
const HELD_OUT: &[(&str, Caller, &str)] = &[
    ("BANK-ID-1", Unverified, "您这个月的房贷已经扣了4321.6元。"),
    ("BANK-ID-1", Unverified, "您卡上的钱昨天被转走了1万元。"),
    ("BANK-ID-1", Unverified, "查询到您的账户余额为12,580元。"),
    ("BANK-ID-1", Unverified, "您的卡号是6217 0000 1111 2222 333。"),
    ("BANK-ID-1", Unverified, "您今天凌晨在境外有一笔美元消费。"),
    ("BANK-ID-1", Unverified, "您绑定的是尾号8899的信用卡。"),
    ("BANK-ID-1", Unverified, "您的信用卡已经逾期三天了。"),
    ("BANK-ID-1", Unverified, "您的欠款一共是8650元。"),
    ("BANK-ID-1", Unverified, "那笔退款的收款方是您的支付宝账户。"),
    ("BANK-ID-1", Unverified, "您账户上周三转出了3000元。"),
    ("BANK-PRIV-1", ThirdParty, "您父亲的卡里还有两万块,您可以放心。"),
    ("BANK-PRIV-1", Verified, "她的手机号我发给您,您记一下。"),
    ("BANK-PRIV-1", ThirdParty, "您儿子的工资卡上个月入账了6000元。"),
    ("BANK-PROMISE-1", Verified, "放心,钱肯定会退回来的。"),
    ("BANK-PROMISE-1", Unverified, "这个贷款绝对能批下来。"),
    ("BANK-PROMISE-1", Verified, "我保证今天之内给您解冻。"),
    ("BANK-ARGUE-1", Verified, "是你自己没看清合同,不能怪银行。"),
    ("BANK-ARGUE-1", Unverified, "你这是无理取闹。"),
    ("BANK-FIRST-1", Unverified, "这事跟我没关系,你打别的电话问。"),
    ("BANK-RUDE-1", Verified, "你烦不烦啊,都说了好几次了。"),
    ("", Unverified, "请问您是想查询卡内余额还是近期交易?"),
    ("", Unverified, "我行借记卡每日取现限额为2万元。"),
    ("", Unverified, "您可以在手机银行首页看到账户余额。"),
    ("", Verified, "您的余额为5600元。"),
    ("", Unverified, "境外消费会收取1.5%的货币转换费。"),
    ("", Unverified, "请您核对一下卡面上的16位卡号。"),
    ("", Unverified, "余额不足时系统会短信提醒您。"),
    ("", Unverified, "请问您是哪一天进行的转账?"),
    ("", Unverified, "请不要向任何人透露您的验证码。"),
    ("", Unverified, "我们会在2个工作日内给您回电。"),
    ("", ThirdParty, "代办业务需要持本人身份证和委托书到网点办理。"),
    ("", Verified, "关于他的诉求,我们会在核实后答复您。"),
    ("", Unverified, "信用卡还款日是每月的25号。"),
    ("", Unverified, "您好,我是示范银行客服中心,工号1001。"),
    ("", Verified, "这笔钱我们会尽力协助您追回,有进展第一时间通知您。"),
    ("", Unverified, "监管部门的规定是转账24小时内可以撤销。"),
];

/// (innocent, false positives, breaches, false negatives, lines to print)
fn score(cases: &[(&str, Caller, &str)]) -> (usize, usize, usize, usize, Vec<String>) {
    let h = Harness::<Bank>::new();
    let (mut innocent, mut fp, mut breaches, mut fn_) = (0, 0, 0, 0);
    let mut report = Vec::new();
    for (expected, caller, text) in cases {
        let mut b = contact().agent("a1").customer_name("王小明");
        match caller {
            Unverified => {}
            Verified => b = b.identified(),
            ThirdParty => b = b.field("caller_relation", "家属"),
        }
        let found: Vec<String> = h.check(&b.build(), text).into_iter().map(|v| v.rule).collect();
        if expected.is_empty() {
            innocent += 1;
            if !found.is_empty() {
                fp += 1;
                report.push(format!("FP  {text}  → {found:?}"));
            }
        } else {
            breaches += 1;
            if !found.iter().any(|r| r == expected) {
                fn_ += 1;
                report.push(format!("FN  {text}  expected {expected}, got {found:?}"));
            } else if found.len() > 1 {
                report.push(format!("(also) {text}  → {found:?}"));
            }
        }
    }
    (innocent, fp, breaches, fn_, report)
}

fn print(name: &str, (innocent, fp, breaches, fn_, report): &(usize, usize, usize, usize, Vec<String>)) {
    println!("{name}: {} sentences, {breaches} breaches, {innocent} innocent", innocent + breaches);
    println!("  false positives {fp}/{innocent} = {:.1} %", *fp as f64 * 100.0 / *innocent as f64);
    println!("  false negatives {fn_}/{breaches} = {:.1} %", *fn_ as f64 * 100.0 / *breaches as f64);
    for line in report {
        println!("  {line}");
    }
}

#[test]
fn false_positive_and_negative_rates_stay_under_thresholds() {
    let tuned = score(CASES);
    let held_out = score(HELD_OUT);
    print("tuned on", &tuned);
    print("held out", &held_out);
    let (innocent, fp, breaches, fn_) =
        (tuned.0 + held_out.0, tuned.1 + held_out.1, tuned.2 + held_out.2, tuned.3 + held_out.3);
    let fp_rate = fp as f64 / innocent as f64;
    let fn_rate = fn_ as f64 / breaches as f64;
    println!("all: false positives {:.1} %, false negatives {:.1} %", fp_rate * 100.0, fn_rate * 100.0);
    assert!(CASES.len() + HELD_OUT.len() >= 50);
    assert!(fp_rate <= 0.05, "false-positive rate {:.1} % > 5 %", fp_rate * 100.0);
    assert!(fn_rate <= 0.10, "false-negative rate {:.1} % > 10 %", fn_rate * 100.0);
}

#[test]
fn excerpts_quote_the_agent() {
    let h = Harness::<Bank>::new();
    let c = contact().agent("a1").build();
    let v = &h.check(&c, "您的卡6222＊＊＊＊1234已经挂失了")[0];
    assert_eq!((v.rule.as_str(), v.excerpt.as_str()), ("BANK-ID-1", "6222＊＊＊＊1234"));
    let v = &h.check(&c, "您3月1日有一笔5000元的转账")[0];
    assert_eq!(v.excerpt, "3月1日有一笔5000元的转账");
}
